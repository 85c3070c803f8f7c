using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Serve.Admission;

/// <summary>Namespace CREATE and UPDATE on /validate: who may switch StatefulGuard for a namespace with its mode label.</summary>
internal sealed class NamespaceProcessor(RuleEngine engine) : IAdmissionProcessor
{
    public bool Takes(AdmissionEndpoint endpoint, AdmissionRequest request, Operation operation) =>
        endpoint == AdmissionEndpoint.Validate && operation is Operation.Create or Operation.Update
        && request.Resource is { Group: "" or null, Resource: "namespaces" }
        && string.IsNullOrEmpty(request.SubResource)
        && request.Kind is { Group: "" or null, Kind: "Namespace" };

    public AdmissionOutcome Process(AdmissionEndpoint endpoint, AdmissionRequest request, string uid, Operation operation)
    {
        if (RequestObjects.Read<V1Namespace>(request, "v1 Namespace", out var ns, out var old) is { } unreadable)
        {
            return unreadable;
        }

        var name = request.Name ?? (ns ?? old)?.Metadata?.Name ?? "";
        var evaluation = engine.ValidateNamespace(new NamespaceRuleContext(operation, name, ns?.Metadata?.Labels, old?.Metadata?.Labels,
            request.UserInfo?.Username, request.UserInfo?.Groups ?? []));
        return Verdicts.Answer(request, uid, "Namespace", "", name, evaluation, engine.Rules.NamespaceRules);
    }
}
