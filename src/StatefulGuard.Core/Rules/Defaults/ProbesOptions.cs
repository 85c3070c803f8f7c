using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Rules.Defaults;

public sealed class ProbesOptions : RuleOptions
{
    public override void BindFrom(IConfiguration section) => section.Bind(this, Strict);

    /// <summary>Every probe's timeout.</summary>
    public int TimeoutSeconds { get; set; } = 5;

    /// <summary>With the threshold, how long a container may take to start (default 10 s × 90 = 15 minutes: a database replaying its log).</summary>
    public int StartupPeriodSeconds { get; set; } = 10;

    public int StartupFailureThreshold { get; set; } = 90;

    public int ReadinessPeriodSeconds { get; set; } = 10;

    public int ReadinessFailureThreshold { get; set; } = 3;

    /// <summary>Liveness restarts a container: conservative by default (20 s × 6 = 2 minutes unresponsive).</summary>
    public int LivenessPeriodSeconds { get; set; } = 20;

    public int LivenessFailureThreshold { get; set; } = 6;
}
