using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Rules.Governance;

public sealed class NamespaceProtectionOptions : RuleOptions
{
    public override void BindFrom(IConfiguration section) => section.Bind(this, Strict);

    /// <summary>Groups whose members may set, change or remove the mode label (<c>system:masters</c> unless set).</summary>
    public string[]? AllowedGroups { get; set; }

    /// <summary>Users who may set, change or remove the mode label.</summary>
    public string[]? AllowedUsers { get; set; }

    public static readonly IReadOnlyList<string> DefaultAllowedGroups = ["system:masters"];

    public IReadOnlyList<string> EffectiveAllowedGroups => AllowedGroups ?? DefaultAllowedGroups;

    public IReadOnlyList<string> EffectiveAllowedUsers => AllowedUsers ?? [];
}
