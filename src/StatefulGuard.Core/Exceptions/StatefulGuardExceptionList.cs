using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace StatefulGuard.Core.Exceptions;

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
