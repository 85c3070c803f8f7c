using k8s.Models;

namespace StatefulGuard.Core.Rules;

/// <summary>A container of the pod template with the field path that addresses it.</summary>
/// <param name="Index">Its index in <c>initContainers</c> or <c>containers</c>.</param>
public sealed record TemplateContainer(V1Container Container, int Index, bool IsInit)
{
    public string Name => Container.Name ?? "";

    /// <summary>The field path, e.g. <c>spec.template.spec.containers[1]</c> (built when a message needs it).</summary>
    public string Path => IsInit ? $"spec.template.spec.initContainers[{Index}]" : $"spec.template.spec.containers[{Index}]";

    /// <summary>Init containers with <c>restartPolicy: Always</c> run beside the main containers.</summary>
    public bool IsSidecar => IsInit && RunsBeside(Container);

    public bool IsLongRunning => !IsInit || IsSidecar;

    /// <summary>Whether an init container is a native sidecar (<c>restartPolicy: Always</c>).</summary>
    public static bool RunsBeside(V1Container? init) => init?.RestartPolicy == "Always";

    /// <summary>
    /// Init containers first, then the main ones, each with its path, e.g. <c>spec.template.spec.containers[1]</c>.
    /// A null element (which the apiserver never sends) is absent; the others keep their index.
    /// </summary>
    public static IEnumerable<TemplateContainer> Of(V1StatefulSet statefulSet) => Of(statefulSet.Spec?.Template?.Spec);

    /// <inheritdoc cref="Of(V1StatefulSet)"/>
    public static IEnumerable<TemplateContainer> Of(V1PodSpec? spec)
    {
        if (spec is null)
        {
            yield break;
        }

        for (var i = 0; i < (spec.InitContainers?.Count ?? 0); i++)
        {
            if (spec.InitContainers![i] is { } init)
            {
                yield return new TemplateContainer(init, i, true);
            }
        }

        for (var i = 0; i < (spec.Containers?.Count ?? 0); i++)
        {
            if (spec.Containers![i] is { } main)
            {
                yield return new TemplateContainer(main, i, false);
            }
        }
    }
}
