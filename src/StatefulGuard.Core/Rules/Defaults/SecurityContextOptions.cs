namespace StatefulGuard.Core.Rules.Defaults;

public sealed class SecurityContextOptions : RuleOptions
{
    public SecurityProfile Profile { get; set; } = SecurityProfile.Baseline;
}
