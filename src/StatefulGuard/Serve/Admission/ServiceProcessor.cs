using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Serve.Admission;

/// <summary>Service UPDATE and DELETE on /validate, judged from the side of the StatefulSets that depend on it.</summary>
internal sealed class ServiceProcessor(RuleEngine engine, IClusterView cluster) : IAdmissionProcessor
{
    public bool Takes(AdmissionEndpoint endpoint, AdmissionRequest request, Operation operation) =>
        endpoint == AdmissionEndpoint.Validate && operation is Operation.Update or Operation.Delete
        && request.Resource is { Group: "" or null, Resource: "services" }
        && string.IsNullOrEmpty(request.SubResource)
        && request.Kind is { Group: "" or null, Kind: "Service" };

    public AdmissionOutcome Process(AdmissionEndpoint endpoint, AdmissionRequest request, string uid, Operation operation)
    {
        if (RequestObjects.Read<V1Service>(request, "v1 Service", out var service, out var old) is { } unreadable)
        {
            return unreadable;
        }

        var ns = !string.IsNullOrEmpty(request.Namespace) ? request.Namespace : (service ?? old)?.Metadata?.NamespaceProperty ?? "default";
        var name = request.Name ?? (service ?? old)?.Metadata?.Name ?? "";
        var evaluation = engine.ValidateService(new ServiceRuleContext(operation, ns, name, service, old, request.UserInfo?.Username, cluster));
        return Verdicts.Answer(request, uid, "Service", ns, name, evaluation, engine.Rules.ServiceRules);
    }
}
