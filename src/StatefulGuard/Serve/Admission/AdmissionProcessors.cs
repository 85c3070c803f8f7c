using System.Text.Json;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Exceptions;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Serve.Admission;

/// <summary>Answers the admission requests of one kind: the router hands each request to the first that takes it.</summary>
internal interface IAdmissionProcessor
{
    bool Takes(AdmissionEndpoint endpoint, AdmissionRequest request, Operation operation);

    AdmissionOutcome Process(AdmissionEndpoint endpoint, AdmissionRequest request, string uid, Operation operation);
}

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
        PooledJson? patch = patched ? JsonPatchBuilder.ToPooledJson(mutation.Patch) : null;
        var response = new AdmissionResponse
        {
            Uid = uid,
            Allowed = true,
            Patch = patch?.Memory,
            PatchType = patched ? "JSONPatch" : null,
            Warnings = warnings.Count > 0 ? warnings : null,
        };

        return new AdmissionOutcome(response, null, request, "StatefulSet", name, InjectionAnnotations.Summary(mutation.Injected), mutation.Mode.ToString())
        {
            Patch = patch,
            Mutation = mutation,
        };
    }
}

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
        V1Service? service = null, old = null;
        try
        {
            if (request.Object is { ValueKind: JsonValueKind.Object } objectJson)
            {
                service = AdmissionObjects.Deserialize<V1Service>(objectJson);
            }

            if (request.OldObject is { ValueKind: JsonValueKind.Object } oldJson)
            {
                old = AdmissionObjects.Deserialize<V1Service>(oldJson);
            }
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"request.object is not a valid v1 Service: {ex.Message}");
        }

        var ns = !string.IsNullOrEmpty(request.Namespace) ? request.Namespace : (service ?? old)?.Metadata?.NamespaceProperty ?? "default";
        var name = request.Name ?? (service ?? old)?.Metadata?.Name ?? "";
        var evaluation = engine.ValidateService(new ServiceRuleContext(operation, ns, name, service, old, request.UserInfo?.Username, cluster));
        return Verdicts.Answer(request, uid, "Service", ns, name, evaluation, engine.Rules.ServiceRules);
    }
}

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
        V1Namespace? ns = null, old = null;
        try
        {
            if (request.Object is { ValueKind: JsonValueKind.Object } objectJson)
            {
                ns = AdmissionObjects.Deserialize<V1Namespace>(objectJson);
            }

            if (request.OldObject is { ValueKind: JsonValueKind.Object } oldJson)
            {
                old = AdmissionObjects.Deserialize<V1Namespace>(oldJson);
            }
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"request.object is not a valid v1 Namespace: {ex.Message}");
        }

        var name = request.Name ?? (ns ?? old)?.Metadata?.Name ?? "";
        var evaluation = engine.ValidateNamespace(new NamespaceRuleContext(operation, name, ns?.Metadata?.Labels, old?.Metadata?.Labels,
            request.UserInfo?.Username, request.UserInfo?.Groups ?? []));
        return Verdicts.Answer(request, uid, "Namespace", "", name, evaluation, engine.Rules.NamespaceRules);
    }
}

/// <summary>StatefulGuardException CREATE and UPDATE on /validate: admitted only when well formed, every problem named with its field.</summary>
internal sealed class ExceptionProcessor(ExceptionValidator validator) : IAdmissionProcessor
{
    public bool Takes(AdmissionEndpoint endpoint, AdmissionRequest request, Operation operation) =>
        endpoint == AdmissionEndpoint.Validate && operation is Operation.Create or Operation.Update
        && request.Resource is { Group: StatefulGuardException.Group, Resource: StatefulGuardException.Plural }
        && string.IsNullOrEmpty(request.SubResource);

    public AdmissionOutcome Process(AdmissionEndpoint endpoint, AdmissionRequest request, string uid, Operation operation)
    {
        if (request.Object is not { ValueKind: JsonValueKind.Object } objectJson)
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"request.object must be a StatefulGuardException object for {request.Operation}");
        }

        StatefulGuardException exception;
        try
        {
            exception = AdmissionObjects.Deserialize<StatefulGuardException>(objectJson);
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"request.object is not a valid {StatefulGuardException.GroupVersion} StatefulGuardException: {ex.Message}");
        }

        var name = exception.Metadata?.Name ?? request.Name ?? "";
        var ns = !string.IsNullOrEmpty(request.Namespace) ? request.Namespace : exception.Metadata?.NamespaceProperty ?? "";
        var problems = validator.AdmissionProblems(exception);
        var response = new AdmissionResponse
        {
            Uid = uid,
            Allowed = problems.Count == 0,
            Status = problems.Count == 0 ? null : new AdmissionStatus
            {
                Code = StatusCodes.Status422UnprocessableEntity,
                Reason = "Invalid",
                Message = $"StatefulGuard denied StatefulGuardException {ns}/{name}: " + string.Join("; ", problems),
            },
        };
        return new AdmissionOutcome(response, null, request, StatefulGuardException.KindName, name, problems.Count == 0 ? "" : "exception-validation:deny", "");
    }
}

/// <summary>An engine's evaluation as the apiserver's answer.</summary>
internal static class Verdicts
{
    public static AdmissionOutcome Answer(AdmissionRequest request, string uid, string kind, string ns, string name, Evaluation evaluation,
        IReadOnlyList<ConfiguredRule> evaluated)
    {
        var warnings = Messages.Warnings(evaluation);
        var response = new AdmissionResponse
        {
            Uid = uid,
            Allowed = evaluation.Allowed,
            Status = evaluation.Allowed ? null : new AdmissionStatus
            {
                Code = StatusCodes.Status403Forbidden,
                Reason = "Forbidden",
                Message = Messages.DenialMessage(kind, ns, name, evaluation),
            },
            Warnings = warnings.Count > 0 ? warnings : null,
        };
        // A waived finding is logged as waived, with the exception that waived it.
        var ruleIds = string.Join(",", evaluation.Verdicts.Select(v => v.Waiver is { } w
            ? $"{v.RuleId}:waived({w.Exception})"
            : $"{v.RuleId}:{v.Action.ToString().ToLowerInvariant()}").Distinct());
        return new AdmissionOutcome(response, null, request, kind, name, ruleIds, evaluation.Mode.ToString()) { Evaluation = evaluation, Evaluated = evaluated };
    }
}
