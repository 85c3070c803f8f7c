using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Rules;

/// <summary>What a rule sees of a Service change: its name, both versions (either may be absent) and who asked.</summary>
public sealed record ServiceRuleContext(
    Operation Operation, string Namespace, string Name, V1Service? Service, V1Service? OldService, string? Username, IClusterView Cluster);

/// <summary>A rule that judges changes to Services from the side of the StatefulSets that depend on them.</summary>
public interface IServiceRule : IRule
{
    IEnumerable<Finding> Validate(ServiceRuleContext context, RuleOptions options);
}

public abstract class ServiceRule<TOptions> : Rule<TOptions>, IServiceRule
    where TOptions : RuleOptions, new()
{
    public IEnumerable<Finding> Validate(ServiceRuleContext context, RuleOptions options) => Check(context, Typed(options));

    protected abstract IEnumerable<Finding> Check(ServiceRuleContext context, TOptions options);
}
