using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Rules.Reachability;

/// <summary>
/// The Service side of <c>headless-service</c>: deleting a Service that a StatefulSet names as its
/// <c>serviceName</c>, giving it a cluster IP (turning it into ExternalName), or changing its selector so it
/// stops selecting those pods removes the pods' DNS names — denied, naming the StatefulSets. Services that no
/// StatefulSet depends on pass untouched, and so does a namespace being torn down.
/// </summary>
public sealed class ServiceProtection : ServiceRule<ServiceProtectionOptions>
{
    public const string Id = "service-protection";

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Deny,
        "a Service that a StatefulSet names as serviceName is not deleted, made non-headless, or made to stop selecting its pods")
    {
        Help = "Deleting the governing Service of a StatefulSet, making it non-headless, or changing its selector away from the pods removes every pod's DNS name while the database keeps running. Delete the StatefulSet first, or keep the Service's clusterIP: None and a selector that is a subset of the pod labels.",
        Reads = [ClusterKinds.StatefulSet],
        Category = "Reachability",
        Severity = RuleSeverity.High,
    };

    protected override IEnumerable<Finding> Check(ServiceRuleContext context, ServiceProtectionOptions options)
    {
        if (context.Operation is not (Operation.Update or Operation.Delete)
            || (context.Username is { } user && options.EffectiveExemptUsers.Contains(user, StringComparer.Ordinal)))
        {
            yield break;
        }

        if (context.Cluster.GetNamespace(context.Namespace) is { State: LookupState.Found, Value.Terminating: true })
        {
            yield break;
        }

        var all = context.Cluster.GetStatefulSets(context.Namespace);
        if (all.State == LookupState.Unknown)
        {
            yield return Unverifiable("dependents-unverifiable", null,
                $"cannot tell whether a StatefulSet depends on Service \"{context.Name}\": cluster state is not available",
                "check that no StatefulSet names it as spec.serviceName")
                with { Summary = "cannot tell yet whether a StatefulSet depends on this Service" };
            yield break;
        }

        var dependents = all.Value!
            .Where(s => s.ServiceName == context.Name && !s.Deleting)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToArray();
        if (dependents.Length == 0)
        {
            yield break;
        }

        var names = string.Join(", ", dependents.Select(s => $"\"{s.Name}\""));
        var plural = dependents.Length == 1 ? "StatefulSet" : "StatefulSets";
        if (context.Operation == Operation.Delete)
        {
            yield return Violation("delete-governing-service", null,
                $"Service \"{context.Name}\" is the serviceName of {plural} {names}: deleting it removes the pods' DNS names",
                $"delete the {plural} first, or keep the Service")
                with { Summary = $"Service gives {plural} {names} their DNS names; delete {(plural == "StatefulSet" ? "it" : "them")} first" };
            yield break;
        }

        if (Headless(context.OldService) && !Headless(context.Service))
        {
            yield return Violation("service-made-not-headless", "spec.clusterIP",
                $"Service \"{context.Name}\" would stop being headless, but {plural} {names} need per-pod DNS names",
                "keep type ClusterIP with clusterIP: None")
                with { Summary = $"{plural} {names} need this Service headless; keep clusterIP: None" };
        }

        foreach (var statefulSet in dependents)
        {
            var labels = statefulSet.PodLabels;
            if (Selects(context.OldService, labels) && !Selects(context.Service, labels))
            {
                var selector = context.Service?.Spec?.Selector;
                var why = selector is { Count: > 0 } ? string.Join("; ", Selectors.Mismatches(selector, labels)) : "the selector is empty";
                yield return Violation("selector-drops-pods", "spec.selector",
                    $"the new selector of Service \"{context.Name}\" no longer selects the pods of StatefulSet \"{statefulSet.Name}\": {why}",
                    $"keep the selector a subset of its pod labels ({Selectors.Format(labels)})")
                    with { Summary = $"new selector drops the pods of StatefulSet \"{statefulSet.Name}\"; keep it a subset" };
            }
        }
    }

    private static bool Headless(V1Service? service) =>
        service?.Spec is { ClusterIP: "None" } spec && spec.Type is null or "ClusterIP";

    private static bool Selects(V1Service? service, IDictionary<string, string> labels) =>
        service?.Spec?.Selector is { Count: > 0 } selector && Selectors.Mismatches(selector, labels).Count == 0;
}
