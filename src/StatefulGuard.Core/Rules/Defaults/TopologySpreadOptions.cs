using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Rules.Defaults;

public sealed class TopologySpreadOptions : RuleOptions
{
    public override void BindFrom(IConfiguration section) => section.Bind(this, Strict);

    public static readonly IReadOnlyList<string> DefaultTopologyKeys = ["topology.kubernetes.io/zone", "kubernetes.io/hostname"];

    /// <summary>
    /// One constraint per key, in this order; unset means zone then hostname. (Null by default because the
    /// configuration binder appends to a pre-filled collection instead of replacing it.)
    /// </summary>
    public string[]? TopologyKeys { get; set; }

    public IReadOnlyList<string> EffectiveTopologyKeys => TopologyKeys is { Length: > 0 } keys ? keys : DefaultTopologyKeys;

    public int MaxSkew { get; set; } = 1;

    /// <summary>ScheduleAnyway: DoNotSchedule would leave replicas Pending on a single-zone cluster.</summary>
    public string WhenUnsatisfiable { get; set; } = "ScheduleAnyway";
}
