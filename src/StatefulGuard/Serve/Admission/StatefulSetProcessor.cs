using System.Text.Json;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Serve.Admission;

/// <summary>StatefulSet CREATE and UPDATE: the validating rules on /validate, the defaults on /mutate.</summary>
internal sealed class StatefulSetProcessor(RuleEngine engine, IClusterView cluster) : IAdmissionProcessor
{
    public bool Takes(AdmissionEndpoint endpoint, AdmissionRequest request, Operation operation) =>
        operation is Operation.Create or Operation.Update
        && request.Resource is { Group: "apps", Resource: "statefulsets" }
        && string.IsNullOrEmpty(request.SubResource)
        && request.Kind is { Group: "apps", Kind: "StatefulSet" };

    public AdmissionOutcome Process(AdmissionEndpoint endpoint, AdmissionRequest request, string uid, Operation operation)
    {
        if (request.Object is not { ValueKind: JsonValueKind.Object } objectJson)
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"request.object must be a StatefulSet object for {request.Operation}");
        }

        V1StatefulSet statefulSet;
        V1StatefulSet? old = null;
        ReadOnlyMemory<byte> template;
        try
        {
            statefulSet = AdmissionObjects.ReadStatefulSet(objectJson, out template);
            if (operation == Operation.Update && request.OldObject is { ValueKind: JsonValueKind.Object } oldJson)
            {
                old = AdmissionObjects.Deserialize<V1StatefulSet>(oldJson);
            }
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"request.object is not a valid apps/v1 StatefulSet: {ex.Message}");
        }

        var ns = !string.IsNullOrEmpty(request.Namespace) ? request.Namespace : statefulSet.Metadata?.NamespaceProperty ?? "default";
        var name = statefulSet.Metadata?.Name ?? request.Name ?? "";
        if (endpoint == AdmissionEndpoint.Mutate)
        {
            return Mutate(request, uid, new RuleInput(operation, ns, statefulSet, old) { TemplateJson = template }, name);
        }

        var evaluation = engine.Validate(new RuleInput(operation, ns, statefulSet, old), cluster);
        return Verdicts.Answer(request, uid, "StatefulSet", ns, name, evaluation, engine.Rules.Validating);
    }

    private AdmissionOutcome Mutate(AdmissionRequest request, string uid, RuleInput input, string name)
    {
        // The typed object was read for this request alone: the rules may edit its template directly.
        var mutation = engine.Mutate(input, cluster, editInPlace: true);
        var warnings = Messages.Limit(mutation.Warnings);
        var patched = mutation.Patch.Count > 0;
        ReadOnlyMemory<byte>? patch = patched ? JsonPatchBuilder.ToUtf8(mutation.Patch) : (ReadOnlyMemory<byte>?)null;
        var response = new AdmissionResponse
        {
            Uid = uid,
            Allowed = true,
            Patch = patch,
            PatchType = patched ? "JSONPatch" : null,
            Warnings = warnings.Count > 0 ? warnings : null,
        };

        return new AdmissionOutcome(response, null, request, "StatefulSet", name, InjectionAnnotations.Summary(mutation.Injected), mutation.Mode.ToString())
        {
            Mutation = mutation,
        };
    }
}
