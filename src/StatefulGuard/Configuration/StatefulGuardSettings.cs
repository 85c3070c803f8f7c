using StatefulGuard.Core.Engine;

namespace StatefulGuard.Configuration;

/// <summary>The section as bound once: the options, the rules with their settings, and what is wrong with them.</summary>
public sealed record StatefulGuardSettings(StatefulGuardOptions Options, Core.Engine.RuleSet Rules, IReadOnlyList<string> Problems)
{
    public static StatefulGuardSettings Load(IConfiguration configuration, RuleCatalog catalog)
    {
        var problems = StatefulGuardOptionsValidator.Check(configuration, catalog, out var options, out var rules);
        return new(options, rules, problems);
    }
}
