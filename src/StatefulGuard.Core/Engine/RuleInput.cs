using k8s.Models;
using StatefulGuard.Core.Admission;

namespace StatefulGuard.Core.Engine;

/// <summary>What the engine is asked to judge, independent of where it came from (webhook, file, cluster).</summary>
public sealed record RuleInput(Operation Operation, string Namespace, V1StatefulSet Object, V1StatefulSet? OldObject)
{
    /// <summary>
    /// The JSON <c>Object.Spec.Template</c> was read from, when it is at hand (the webhook's request): a mutation's
    /// patch is worked out against it. Empty means the engine writes the template's JSON itself.
    /// </summary>
    public ReadOnlyMemory<byte> TemplateJson { get; init; }
}
