using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Rules.Defaults;

public sealed class SecurityContextOptions : RuleOptions
{
    public override void BindFrom(IConfiguration section) => section.Bind(this, Strict);

    public SecurityProfile Profile { get; set; } = SecurityProfile.Baseline;
}
