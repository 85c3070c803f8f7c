using System.Text.Json;
using k8s;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Serve.Reports;

/// <summary>
/// The client's Lease lock, reading and writing the Lease through StatefulGuard's own serializer options
/// (<see cref="KubeJson"/>, whose generated context covers <see cref="V1Lease"/>): the client's typed calls would
/// bring its serialization context of every API kind into the process for this one object.
/// </summary>
internal sealed class ReportsLease(IKubernetes client, string @namespace, string name, string identity)
    : LeaseLock(client, @namespace, name, identity)
{
    private const string Group = "coordination.k8s.io", Version = "v1", Plural = "leases";

    protected override async Task<V1Lease> ReadMetaObjectAsync(IKubernetes client, string name, string namespaceParameter, CancellationToken cancellationToken) =>
        Read(await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(Group, Version, namespaceParameter, Plural, name, cancellationToken));

    protected override async Task<V1Lease> CreateMetaObjectAsync(IKubernetes client, V1Lease obj, string namespaceParameter, CancellationToken cancellationToken) =>
        Read(await client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonElement>(Body(obj), Group, Version, namespaceParameter, Plural,
            cancellationToken: cancellationToken));

    protected override async Task<V1Lease> ReplaceMetaObjectAsync(IKubernetes client, V1Lease obj, string name, string namespaceParameter,
        CancellationToken cancellationToken) =>
        Read(await client.CustomObjects.ReplaceNamespacedCustomObjectAsync<JsonElement>(Body(obj), Group, Version, namespaceParameter, Plural, name,
            cancellationToken: cancellationToken));

    private static JsonElement Body(V1Lease lease)
    {
        lease.ApiVersion = Group + "/" + Version;
        lease.Kind = "Lease";
        return JsonSerializer.SerializeToElement(lease, KubeJson.SerializerOptions);
    }

    private static V1Lease Read(JsonElement element) => element.Deserialize<V1Lease>(KubeJson.SerializerOptions) ?? throw new JsonException("the apiserver answered with no Lease");
}
