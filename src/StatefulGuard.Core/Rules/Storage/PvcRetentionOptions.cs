using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Rules.Storage;

public sealed class PvcRetentionOptions : RuleOptions
{
    public override void BindFrom(IConfiguration section) => section.Bind(this, Strict);

    /// <summary>
    /// Also report <c>whenScaled: Delete</c>: scaling down deletes the removed replicas' claims. Off by default: some
    /// operators scale caches and shard sets this way on purpose, and scaling is a deliberate act.
    /// </summary>
    public bool ReportWhenScaled { get; set; }
}
