namespace StatefulGuard.Core.Rules.Workload;

/// <summary>
/// Every container requests CPU and memory, so the scheduler places replicas where they fit and the
/// kubelet does not evict them first under pressure (BestEffort pods go first).
/// </summary>
public sealed class Resources : ValidatingRule<ResourcesOptions>
{
    public const string Id = "resources";

    private static readonly string[] RequiredRequests = ["cpu", "memory"];

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Warn,
        "every container has CPU and memory requests (limits optional)")
    {
        Help = "Pods without CPU and memory requests are placed without regard to capacity and are the first evicted under memory pressure (BestEffort). Set resources.requests.cpu and resources.requests.memory on every container.",
        Category = "Workload",
        Severity = RuleSeverity.Medium,
    };

    protected override IEnumerable<Finding> Check(RuleContext context, ResourcesOptions options)
    {
        foreach (var container in TemplateContainer.Of(context.StatefulSet).Where(c => options.IncludeInitContainers || !c.IsInit))
        {
            var resources = container.Container.Resources;
            var missing = RequiredRequests.Where(r => resources?.Requests?.ContainsKey(r) != true).ToArray();
            if (missing.Length > 0)
            {
                var what = string.Join(" and ", missing);
                yield return Violation("missing-requests", $"{container.Path}.resources.requests",
                    $"container \"{container.Name}\" has no {what} request: it is placed blindly and evicted first",
                    $"set resources.requests.{string.Join(" and resources.requests.", missing)}")
                    with { Summary = $"container \"{container.Name}\" has no {what} request; set resources.requests" };
            }

            if (options.RequireLimits && resources?.Limits?.ContainsKey("memory") != true)
            {
                yield return Violation("missing-limits", $"{container.Path}.resources.limits",
                    $"container \"{container.Name}\" has no memory limit",
                    "set resources.limits.memory")
                    with { Summary = $"container \"{container.Name}\" has no memory limit; set resources.limits.memory" };
            }
        }
    }
}
