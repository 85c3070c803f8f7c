using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Rules.Workload;

public sealed class ResourcesOptions : RuleOptions
{
    public override void BindFrom(IConfiguration section) => section.Bind(this, Strict);

    /// <summary>Also require a memory limit (a database without one can take a node down; with one it is OOM-killed).</summary>
    public bool RequireLimits { get; set; }

    public bool IncludeInitContainers { get; set; } = true;
}
