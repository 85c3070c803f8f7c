using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

/// <summary>The engine's answer to a mutation request.</summary>
/// <param name="Mode">The mode in force for the object's namespace.</param>
/// <param name="Patch">The RFC 6902 patch to send (empty in audit and off modes, or when nothing is missing).</param>
/// <param name="Injected">What was (or in audit mode would be) injected, as annotation entries.</param>
/// <param name="Warnings">Short messages for the user: what could not be injected and why, or what audit mode would inject.</param>
/// <param name="Mutated">The object with the defaults in (unchanged in audit and off modes).</param>
public sealed record MutationResult(
    GuardMode Mode, IReadOnlyList<PatchOperation> Patch, IReadOnlyList<string> Injected, IReadOnlyList<string> Warnings, V1StatefulSet Mutated);

public sealed partial class RuleEngine
{
    /// <summary>Paths a mutation may touch. Everything else in a StatefulSet's spec is immutable, and the rest is not ours.</summary>
    private static readonly string[] MutablePrefixes = ["/metadata/annotations", "/spec/template"];

    /// <summary>
    /// Runs the mutating rules. On UPDATE, values injected earlier are taken from the stored object, and when
    /// the update leaves the pod template as stored no new default is added: that would roll every pod.
    /// </summary>
    public MutationResult Mutate(RuleInput input, IClusterView cluster, GuardMode? globalMode = null)
    {
        var mode = ModeResolution.Resolve(globalMode ?? settings.Mode, cluster.GetNamespace(input.Namespace), out var note);
        var notes = note is null ? new List<string>() : [note];
        if (mode == GuardMode.Off || rules.Mutating.Count == 0)
        {
            return new MutationResult(mode, [], [], notes, input.Object);
        }

        var skips = InjectionAnnotations.Skips(input.Object, rules.Mutating.Select(r => ((IMutatingRule)r.Rule).SkipName), notes);
        var previously = InjectionAnnotations.Injected(input.OldObject);
        previously.UnionWith(InjectionAnnotations.Injected(input.Object));

        MutationContext pass;
        if (input is { Operation: Operation.Update, OldObject: { } old })
        {
            pass = Run(input, cluster, previously, skips, allowNewInjections: false);
            if (!SameTemplate(pass.StatefulSet, old))
            {
                pass = Run(input, cluster, previously, skips, allowNewInjections: true);
            }
        }
        else
        {
            pass = Run(input, cluster, previously, skips, allowNewInjections: true);
        }

        var warnings = notes.Concat(pass.Warnings).ToList();
        if (pass.Injected.Count == 0)
        {
            return new MutationResult(mode, [], [], warnings, input.Object);
        }

        InjectionAnnotations.Record(pass.StatefulSet, pass.Injected);
        if (mode == GuardMode.Audit)
        {
            var wouldInject = Patch(input.Object, pass.StatefulSet).Count > 0;
            if (wouldInject)
            {
                warnings.Insert(0, "would inject: " + InjectionAnnotations.Summary(pass.Injected));
            }

            return new MutationResult(mode, [], pass.Injected.ToArray(), warnings, input.Object);
        }

        return new MutationResult(mode, Patch(input.Object, pass.StatefulSet), pass.Injected.ToArray(), warnings, pass.StatefulSet);
    }

    private MutationContext Run(RuleInput input, IClusterView cluster, IReadOnlySet<string> previously, IReadOnlySet<string> skips, bool allowNewInjections)
    {
        var copy = Clone(input.Object);
        var context = new MutationContext(input.Operation, input.Namespace, copy, input.OldObject, cluster, previously, allowNewInjections);
        foreach (var configured in rules.Mutating)
        {
            var rule = (IMutatingRule)configured.Rule;
            if (skips.Contains(rule.SkipName))
            {
                continue;
            }

            try
            {
                rule.Mutate(context, configured.Options);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A half-applied default is worse than none, but the other rules' edits stand on their own.
                LogRuleFailed(logger, ex, rule.Descriptor.Id, input.Namespace, input.Object.Metadata?.Name ?? "");
                context.Warn($"{rule.Descriptor.Id}: failed, nothing injected ({ex.GetType().Name})");
            }
        }

        return context;
    }

    private List<PatchOperation> Patch(V1StatefulSet before, V1StatefulSet after)
    {
        var operations = JsonPatchBuilder.Diff(KubernetesJson.Deserialize<JsonNode>(KubernetesJson.Serialize(before)),
            KubernetesJson.Deserialize<JsonNode>(KubernetesJson.Serialize(after)));
        var allowed = new List<PatchOperation>(operations.Count);
        foreach (var operation in operations)
        {
            if (MutablePrefixes.Any(p => operation.Path == p || operation.Path.StartsWith(p + "/", StringComparison.Ordinal)))
            {
                allowed.Add(operation);
            }
            else
            {
                LogPatchDropped(logger, operation.Op, operation.Path);
            }
        }

        return allowed;
    }

    private static bool SameTemplate(V1StatefulSet a, V1StatefulSet b) =>
        JsonNode.DeepEquals(
            KubernetesJson.Deserialize<JsonNode>(KubernetesJson.Serialize(a.Spec?.Template)),
            KubernetesJson.Deserialize<JsonNode>(KubernetesJson.Serialize(b.Spec?.Template)));

    private static V1StatefulSet Clone(V1StatefulSet statefulSet) =>
        KubernetesJson.Deserialize<V1StatefulSet>(KubernetesJson.Serialize(statefulSet));

    [LoggerMessage(Level = LogLevel.Error, Message = "A mutating rule tried to {Op} {Path}, outside the pod template and annotations; dropped")]
    private static partial void LogPatchDropped(ILogger logger, string op, string path);
}

/// <summary>The <c>statefulguard.io/skip</c> and <c>statefulguard.io/injected</c> annotations.</summary>
public static class InjectionAnnotations
{
    /// <summary>Names in <c>statefulguard.io/skip</c>; unknown names are reported in <paramref name="notes"/>.</summary>
    public static IReadOnlySet<string> Skips(V1StatefulSet statefulSet, IEnumerable<string> known, List<string> notes)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (statefulSet.Metadata?.Annotations?.TryGetValue(WellKnown.SkipAnnotation, out var value) != true)
        {
            return result;
        }

        var names = known.ToHashSet(StringComparer.Ordinal);
        foreach (var name in Split(value))
        {
            if (names.Contains(name))
            {
                result.Add(name);
            }
            else
            {
                notes.Add($"{WellKnown.SkipAnnotation}: unknown name \"{name}\" (known: {string.Join(", ", names.Order(StringComparer.Ordinal))})");
            }
        }

        return result;
    }

    public static HashSet<string> Injected(V1StatefulSet? statefulSet) =>
        statefulSet?.Metadata?.Annotations?.TryGetValue(WellKnown.InjectedAnnotation, out var value) == true
            ? Split(value).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="entries"/> to the annotation, keeping what it already lists, sorted.</summary>
    public static void Record(V1StatefulSet statefulSet, IEnumerable<string> entries)
    {
        var all = Injected(statefulSet);
        all.UnionWith(entries);
        statefulSet.Metadata ??= new V1ObjectMeta();
        statefulSet.Metadata.Annotations ??= new Dictionary<string, string>();
        statefulSet.Metadata.Annotations[WellKnown.InjectedAnnotation] = string.Join(",", all.Order(StringComparer.Ordinal));
    }

    /// <summary>"probes (nginx), security-context (pod, nginx)" from entries like "probes:nginx/startup".</summary>
    public static string Summary(IEnumerable<string> entries) =>
        string.Join(", ", entries
            .Select(e => (Rule: e.Split(':', 2)[0], Target: e.Contains(':', StringComparison.Ordinal) ? e.Split(':', 2)[1].Split('/')[0] : null))
            .GroupBy(e => e.Rule, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var targets = g.Select(e => e.Target).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
                return targets.Length == 0 ? g.Key : $"{g.Key} ({string.Join(", ", targets)})";
            }));

    private static string[] Split(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
