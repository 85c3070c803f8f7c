using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

/// <summary>A rule with the options and action configuration gave it.</summary>
public sealed record ConfiguredRule(IRule Rule, RuleOptions Options, RuleAction Action)
{
    public string Id => Rule.Descriptor.Id;
}
