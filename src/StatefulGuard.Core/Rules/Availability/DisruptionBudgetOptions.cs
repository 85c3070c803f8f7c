using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Rules.Availability;

public sealed class DisruptionBudgetOptions : RuleOptions
{
    public override void BindFrom(IConfiguration section) => section.Bind(this, Strict);

    /// <summary>From how many replicas on a budget is required (one replica cannot stay available through a drain anyway).</summary>
    public int MinReplicas { get; set; } = 2;
}
