using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Rules.Defaults;

public sealed class PreStopOptions : RuleOptions
{
    public override void BindFrom(IConfiguration section) => section.Bind(this, Strict);

    /// <summary>How long a terminating pod keeps serving while endpoints and DNS drop it.</summary>
    public int SleepSeconds { get; set; } = 10;

    /// <summary>Time the grace period must leave the application after the sleep to shut down cleanly.</summary>
    public int MinShutdownSeconds { get; set; } = 10;

    /// <summary>
    /// The Kubernetes version to assume when the cluster's is unknown (offline <c>mutate</c>), e.g. "1.31".
    /// Unset and unknown means the exec form, which every version accepts.
    /// </summary>
    public string? AssumeKubernetesVersion { get; set; }
}
