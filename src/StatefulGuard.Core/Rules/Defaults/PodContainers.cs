using k8s.Models;

namespace StatefulGuard.Core.Rules.Defaults;

/// <summary>
/// The containers a default applies to, enumerated in place (init containers first, then the main ones): every
/// mutating rule walks them on every admission, and an iterator with its filter allocated three objects each time.
/// </summary>
internal static class PodContainers
{
    /// <summary>
    /// Containers that run for the pod's lifetime: the regular ones and native sidecars (init containers
    /// with <c>restartPolicy: Always</c>). Plain init containers run to completion and get no probes or hooks.
    /// </summary>
    public static Containers LongRunning(V1PodSpec spec) => new(spec, longRunningOnly: true);

    /// <summary>Every container of the pod, init containers included.</summary>
    public static Containers All(V1PodSpec spec) => new(spec, longRunningOnly: false);

    /// <summary>The container of that name in a StatefulSet's template (names are unique across the pod).</summary>
    public static V1Container? Find(V1StatefulSet statefulSet, string name)
    {
        if (statefulSet.Spec?.Template?.Spec is { } spec)
        {
            foreach (var container in All(spec))
            {
                if (container.Name == name)
                {
                    return container;
                }
            }
        }

        return null;
    }

    public readonly struct Containers(V1PodSpec spec, bool longRunningOnly)
    {
        public Enumerator GetEnumerator() => new(spec, longRunningOnly);

        public struct Enumerator(V1PodSpec spec, bool longRunningOnly)
        {
            private readonly int inits = spec.InitContainers?.Count ?? 0;
            private readonly int mains = spec.Containers?.Count ?? 0;
            private int index = -1;

            public V1Container Current { get; private set; } = null!;

            public bool MoveNext()
            {
                // A null element (which the apiserver never sends) is absent.
                while (++index < inits)
                {
                    var init = spec.InitContainers![index];
                    if (init is not null && (!longRunningOnly || TemplateContainer.RunsBeside(init)))
                    {
                        Current = init;
                        return true;
                    }
                }

                while (index - inits < mains)
                {
                    if (spec.Containers![index - inits] is { } main)
                    {
                        Current = main;
                        return true;
                    }

                    index++;
                }

                return false;
            }
        }
    }
}
