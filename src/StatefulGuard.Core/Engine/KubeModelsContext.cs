using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// Source-generated serialization for the Kubernetes kinds StatefulGuard reads and watches, placed ahead of the
/// client's own resolver (<see cref="KubeJson"/>). The client's generated context covers every kind of the API, and
/// looking a type up in it loads its model types by the hundred; this one holds only the graph reachable from these
/// roots. Values, converters and options are the client's, so the JSON is the same.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    Converters = [typeof(KubernetesJson.Iso8601TimeSpanConverter), typeof(KubernetesJson.KubernetesDateTimeConverter), typeof(KubernetesJson.KubernetesDateTimeOffsetConverter)])]
[JsonSerializable(typeof(V1StatefulSet))]
[JsonSerializable(typeof(V1StatefulSetList))]
[JsonSerializable(typeof(V1PodTemplateSpec))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1ServiceList))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1NamespaceList))]
[JsonSerializable(typeof(V1PodDisruptionBudget))]
[JsonSerializable(typeof(V1PodDisruptionBudgetList))]
[JsonSerializable(typeof(V1StorageClass))]
[JsonSerializable(typeof(V1StorageClassList))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(VersionInfo))]
[JsonSerializable(typeof(V1Status))]
[JsonSerializable(typeof(IDictionary<string, string>))]
[JsonSerializable(typeof(JsonElement))]
// JSON trees: manifests as written, which mutate patches (through Microsoft.AspNetCore.JsonPatch.SystemTextJson).
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonNode))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonArray))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonValue))]
[JsonSerializable(typeof(Exceptions.StatefulGuardException))]
[JsonSerializable(typeof(Exceptions.StatefulGuardExceptionList))]
public sealed partial class KubeModelsContext : JsonSerializerContext
{
}
