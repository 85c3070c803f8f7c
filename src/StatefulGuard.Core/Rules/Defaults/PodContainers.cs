using k8s.Models;

namespace StatefulGuard.Core.Rules.Defaults;

internal static class PodContainers
{
    /// <summary>
    /// Containers that run for the pod's lifetime: the regular ones and native sidecars (init containers
    /// with <c>restartPolicy: Always</c>). Plain init containers run to completion and get no probes or hooks.
    /// </summary>
    public static IEnumerable<V1Container> LongRunning(V1PodSpec spec) =>
        TemplateContainer.Of(spec).Where(c => c.IsLongRunning).Select(c => c.Container);

    /// <summary>Every container of the pod, init containers included.</summary>
    public static IEnumerable<V1Container> All(V1PodSpec spec) => TemplateContainer.Of(spec).Select(c => c.Container);

    /// <summary>The container of that name in a StatefulSet's template (names are unique across the pod).</summary>
    public static V1Container? Find(V1StatefulSet statefulSet, string name) =>
        statefulSet.Spec?.Template?.Spec is { } spec ? All(spec).FirstOrDefault(c => c.Name == name) : null;
}
