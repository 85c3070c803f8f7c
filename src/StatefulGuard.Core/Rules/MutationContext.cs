using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Rules;

/// <summary>
/// What a mutating rule works on: the StatefulSet to edit (a private copy), the stored version on UPDATE,
/// and the record of what StatefulGuard injected before, so that earlier injected values are reused
/// ("sticky") and replacing a StatefulSet with its original manifest reproduces the stored template.
/// </summary>
public sealed class MutationContext
{
    private readonly IReadOnlySet<string> previouslyInjected;
    // A list kept sorted on insertion (a pass records a handful of entries): enumerating a sorted set allocates a
    // stack each time, and this is read several times per admission.
    private readonly List<string> injected = [];
    private readonly List<string> warnings = [];

    public MutationContext(Operation operation, string @namespace, V1StatefulSet statefulSet, V1StatefulSet? oldStatefulSet,
        IClusterView cluster, IReadOnlySet<string> previouslyInjected, bool allowNewInjections)
    {
        Operation = operation;
        Namespace = @namespace;
        StatefulSet = statefulSet;
        OldStatefulSet = oldStatefulSet;
        Cluster = cluster;
        this.previouslyInjected = previouslyInjected;
        AllowNewInjections = allowNewInjections;
    }

    public Operation Operation { get; }

    public string Namespace { get; }

    /// <summary>The object being mutated: rules edit it in place.</summary>
    public V1StatefulSet StatefulSet { get; }

    public V1StatefulSet? OldStatefulSet { get; }

    public IClusterView Cluster { get; }

    /// <summary>
    /// False on an UPDATE that does not change the pod template: new defaults would roll every pod of a
    /// running database for nothing, so only values injected earlier are restored.
    /// </summary>
    public bool AllowNewInjections { get; }

    /// <summary>What this pass injected, as entries of the <c>statefulguard.io/injected</c> annotation, in ordinal order.</summary>
    public IReadOnlyList<string> Injected => injected;

    public IReadOnlyList<string> Warnings => warnings;

    public void Warn(string message) => warnings.Add(message);

    /// <summary>
    /// The value for an absent field: the one injected earlier (from the stored object, when it recorded
    /// <paramref name="entry"/> as injected), else a fresh default when new injections are allowed, else null.
    /// Records <paramref name="entry"/> when it returns a value.
    /// </summary>
    /// <param name="entry">The annotation entry, e.g. <c>probes:nginx/startup</c>.</param>
    /// <param name="state">What the two functions need (the container's name, say), so that they can be static: a rule
    /// fills several fields of every container on every admission, and capturing lambdas would each allocate.</param>
    /// <param name="fromStored">Selects the field in the stored StatefulSet.</param>
    /// <param name="fresh">Makes the default; null when no new default is possible (only a stored one is restored).</param>
    public T? Fill<T, TState>(string entry, TState state, Func<V1StatefulSet, TState, T?> fromStored, Func<TState, T>? fresh)
        where T : class
    {
        T? value = null;
        if (OldStatefulSet is { } old && previouslyInjected.Contains(entry) && fromStored(old, state) is { } stored)
        {
            value = Clone(stored);
        }
        else if (AllowNewInjections && fresh is not null)
        {
            value = fresh(state);
        }

        if (value is not null)
        {
            Record(entry);
        }

        return value;
    }

    /// <summary>The same as <see cref="Fill{T, TState}"/> for value types (a bool, a number).</summary>
    public T? FillValue<T, TState>(string entry, TState state, Func<V1StatefulSet, TState, T?> fromStored, T fresh)
        where T : struct
    {
        T? value = null;
        if (OldStatefulSet is { } old && previouslyInjected.Contains(entry) && fromStored(old, state) is { } stored)
        {
            value = stored;
        }
        else if (AllowNewInjections)
        {
            value = fresh;
        }

        if (value is not null)
        {
            Record(entry);
        }

        return value;
    }

    private void Record(string entry)
    {
        var index = injected.BinarySearch(entry, StringComparer.Ordinal);
        if (index < 0)
        {
            injected.Insert(~index, entry);
        }
    }

    private static T Clone<T>(T value)
        where T : class => Engine.KubeJson.Clone(value);
}
