using k8s.Models;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Rules.Reachability;

/// <summary>
/// <c>spec.serviceName</c> must name a headless Service in the StatefulSet's namespace whose selector selects
/// the pods; otherwise the pods get no <c>&lt;pod&gt;.&lt;service&gt;.&lt;ns&gt;.svc</c> names. The field is
/// immutable, so a mistake found after creation costs a delete-and-recreate.
/// </summary>
public sealed class HeadlessService : ValidatingRule<HeadlessServiceOptions>
{
    public const string Id = "headless-service";
    private const string FieldPath = "spec.serviceName";

    public override RuleDescriptor Descriptor { get; } = new(
        Id,
        RuleKind.Validating,
        RuleAction.Deny,
        "spec.serviceName names a headless Service (clusterIP: None) in the namespace that selects the pods")
    {
        Help = "A StatefulSet's pods get stable DNS names (pod.service.namespace.svc) only from a headless Service (clusterIP: None) named by spec.serviceName whose selector selects them. serviceName is immutable, so a mistake costs a delete-and-recreate. Create the headless Service first, with the StatefulSet's matchLabels as its selector.",
        Reads = [ClusterKinds.Service],
        Category = "Reachability",
        Severity = RuleSeverity.High,
    };

    protected override IEnumerable<Finding> Check(RuleContext context, HeadlessServiceOptions options)
    {
        var serviceName = context.StatefulSet.Spec?.ServiceName;
        var suggested = SuggestedSelector(context.StatefulSet);

        if (string.IsNullOrEmpty(serviceName))
        {
            if (options.RequireServiceName)
            {
                yield return Violation(
                    "service-name-empty",
                    FieldPath,
                    "spec.serviceName is empty: the pods get no stable DNS names",
                    $"create a headless Service (clusterIP: None) with selector {suggested} and set spec.serviceName to its name; it cannot be changed later")
                    with { Summary = "spec.serviceName is empty: pods get no DNS names; name a headless Service" };
            }

            yield break;
        }

        var lookup = context.Cluster.GetService(context.Namespace, serviceName);
        switch (lookup.State)
        {
            case LookupState.Unknown:
                yield return Unverifiable(
                    "service-unverifiable",
                    FieldPath,
                    $"cannot verify Service \"{serviceName}\": cluster state is not available",
                    $"make sure a headless Service \"{serviceName}\" with selector {suggested} exists in namespace \"{context.Namespace}\"")
                    with { Summary = $"cannot verify Service \"{serviceName}\" yet: cluster state is not available" };
                yield break;

            case LookupState.NotFound:
                var missing = context.Cluster.Scope == ViewScope.Input
                    ? Violation(
                        "service-missing",
                        FieldPath,
                        $"Service \"{serviceName}\" named by spec.serviceName was not found in the input (namespace \"{context.Namespace}\")",
                        $"add a headless Service \"{serviceName}\" (clusterIP: None) with selector {suggested} beside the StatefulSet, or correct spec.serviceName")
                        with { Summary = $"Service \"{serviceName}\" not in the input; add it headless or fix serviceName" }
                    : Violation(
                        "service-missing",
                        FieldPath,
                        $"Service \"{serviceName}\" named by spec.serviceName does not exist in namespace \"{context.Namespace}\"",
                        $"create a headless Service \"{serviceName}\" (clusterIP: None) with selector {suggested}, or correct spec.serviceName")
                        with { Summary = $"Service \"{serviceName}\" does not exist; create it headless or fix serviceName" };
                yield return missing with { Suggested = Companions.HeadlessService(context.StatefulSet) };
                yield break;
        }

        var service = lookup.Value!;
        if (string.Equals(service.Type, "ExternalName", StringComparison.Ordinal))
        {
            yield return Violation(
                "service-not-headless",
                FieldPath,
                $"Service \"{serviceName}\" is of type ExternalName, not a headless Service: the pods get no DNS names",
                $"point spec.serviceName at a headless Service (type ClusterIP, clusterIP: None) with selector {suggested}")
                with { Summary = $"Service \"{serviceName}\" is ExternalName; name a headless Service instead" };
            yield break;
        }

        if (!string.Equals(service.ClusterIP, "None", StringComparison.Ordinal))
        {
            var ip = string.IsNullOrEmpty(service.ClusterIP) ? "not set, so one is allocated" : service.ClusterIP;
            yield return Violation(
                "service-not-headless",
                FieldPath,
                $"Service \"{serviceName}\" is not headless (clusterIP {ip}): the pods get no per-pod DNS names",
                $"recreate Service \"{serviceName}\" with clusterIP: None (the field cannot be changed in place)")
                with { Summary = $"Service \"{serviceName}\" is not headless; recreate it with clusterIP: None" };
        }

        var selector = service.Selector;
        if (selector is null || selector.Count == 0)
        {
            yield return Violation(
                "service-selector-empty",
                FieldPath,
                $"Service \"{serviceName}\" has no selector, so no DNS records are published for the pods",
                $"set spec.selector of Service \"{serviceName}\" to {suggested}")
                with { Summary = $"Service \"{serviceName}\" has no selector; select the pod labels" };
            yield break;
        }

        var mismatches = Selectors.Mismatches(selector, context.PodLabels);
        if (mismatches.Count > 0)
        {
            yield return Violation(
                "service-selector-mismatch",
                FieldPath,
                $"Service \"{serviceName}\" selector {Selectors.Format(selector)} does not select the pods: {string.Join("; ", mismatches)}",
                $"make the selector of Service \"{serviceName}\" a subset of the pod template labels, e.g. {suggested}")
                with { Summary = $"Service \"{serviceName}\" selector misses the pods; use the pod labels" };
        }
    }

    /// <summary>The StatefulSet's own matchLabels are guaranteed to be on its pods, so they make the best selector.</summary>
    private static string SuggestedSelector(V1StatefulSet statefulSet)
    {
        var labels = statefulSet.Spec?.Selector?.MatchLabels is { Count: > 0 } match
            ? match
            : statefulSet.Spec?.Template?.Metadata?.Labels;
        return labels is { Count: > 0 } ? Selectors.Format(labels) : "<pod labels>";
    }
}
