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

public sealed class StatefulGuardExceptionSpec
{
    /// <summary>Rule ids waived (validating and mutating); <c>*</c> is not allowed: name what you waive.</summary>
    [JsonPropertyName("rules")]
    public IList<string>? Rules { get; set; }

    /// <summary>Names or globs (<c>*</c>, <c>?</c>) of StatefulSets in the exception's namespace.</summary>
    [JsonPropertyName("statefulSets")]
    public IList<string>? StatefulSets { get; set; }

    /// <summary>Names or globs of Services in the exception's namespace (for service-protection).</summary>
    [JsonPropertyName("services")]
    public IList<string>? Services { get; set; }

    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    /// <summary>A reference such as an issue key or URL.</summary>
    [JsonPropertyName("ticket")]
    public string? Ticket { get; set; }

    /// <summary>RFC 3339; required unless <c>StatefulGuard:Exceptions:RequireExpiry</c> is false.</summary>
    [JsonPropertyName("expires")]
    public DateTimeOffset? Expires { get; set; }
}

[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The list kind of StatefulGuardException.")]
public sealed class StatefulGuardExceptionList : IKubernetesObject<V1ListMeta>, IItems<StatefulGuardException>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = StatefulGuardException.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = StatefulGuardException.KindName + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<StatefulGuardException> Items { get; set; } = [];
}
