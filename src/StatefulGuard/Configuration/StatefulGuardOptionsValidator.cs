using StatefulGuard.Core.Engine;

namespace StatefulGuard.Configuration;

/// <summary>Binds the <c>StatefulGuard</c> section once and checks it; every message names the configuration key.</summary>
public static class StatefulGuardOptionsValidator
{
    private static readonly StatefulGuardOptionsRules Rules = new();

    /// <summary>
    /// Binds and checks the whole section: typed options, unknown keys, and each rule's settings.
    /// Returns every problem, each starting with its configuration key.
    /// </summary>
    public static IReadOnlyList<string> Check(IConfiguration configuration, RuleCatalog catalog, out StatefulGuardOptions options, out Core.Engine.RuleSet rules)
    {
        var section = configuration.GetSection(StatefulGuardOptions.SectionName);
        var problems = new List<string>();
        options = new StatefulGuardOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            problems.Add(ex.Message);
        }

        problems.AddRange(UnknownKeys.Find(section, OptionsShapeContext.Default.StatefulGuardOptions, ignore: Core.Engine.RuleSet.SectionName)
            .Select(k => $"{k}: unknown configuration key"));
        problems.AddRange(Rules.Validate(options).Problems(StatefulGuardOptions.SectionName));

        rules = Core.Engine.RuleSet.Bind(catalog, section.GetSection(Core.Engine.RuleSet.SectionName), out var ruleProblems);
        problems.AddRange(ruleProblems);
        return problems;
    }
}
