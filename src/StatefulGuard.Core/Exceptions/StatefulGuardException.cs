using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace StatefulGuard.Core.Exceptions;

/// <summary>
/// <c>statefulguardexceptions.statefulguard.io/v1alpha1</c>: waives named rules for named objects of its own namespace,
/// with a reason, until it expires. RBAC on this resource decides who may waive what; it is never an annotation
/// anyone who can write a StatefulSet could set.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The custom resource's kind is StatefulGuardException: a public name users and charts depend on.")]
public sealed class StatefulGuardException : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "statefulguard.io";
    public const string Version = "v1alpha1";
    public const string Plural = "statefulguardexceptions";
    public const string KindName = "StatefulGuardException";
    public const string GroupVersion = Group + "/" + Version;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public StatefulGuardExceptionSpec? Spec { get; set; }

    public string Namespace => Metadata?.NamespaceProperty ?? "";

    public string Name => Metadata?.Name ?? "";

    /// <summary><c>namespace/name</c>, as warnings and reports name it.</summary>
    public string Reference => $"{Namespace}/{Name}";
}
