using Microsoft.Extensions.Configuration;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

/// <summary>The catalogue's rules as configured by <c>StatefulGuard:Rules</c>.</summary>
public sealed class RuleSet
{
    public const string SectionName = "Rules";

    public RuleSet(IReadOnlyList<ConfiguredRule> rules)
    {
        Rules = rules;
        Validating = rules.Where(r => r.Rule is IValidatingRule && r.Action != RuleAction.Off).ToArray();
        Mutating = rules.Where(r => r.Rule is IMutatingRule && r.Action != RuleAction.Off).ToArray();
        ServiceRules = rules.Where(r => r.Rule is IServiceRule && r.Action != RuleAction.Off).ToArray();
        NamespaceRules = rules.Where(r => r.Rule is INamespaceRule && r.Action != RuleAction.Off).ToArray();
    }

    public IReadOnlyList<ConfiguredRule> Rules { get; }

    /// <summary>Validating rules that are not switched off, in id order.</summary>
    public IReadOnlyList<ConfiguredRule> Validating { get; }

    /// <summary>Mutating rules that are not switched off, in id order.</summary>
    public IReadOnlyList<ConfiguredRule> Mutating { get; }

    /// <summary>Rules on Service changes that are not switched off, in id order.</summary>
    public IReadOnlyList<ConfiguredRule> ServiceRules { get; }

    /// <summary>Rules on Namespace changes that are not switched off, in id order.</summary>
    public IReadOnlyList<ConfiguredRule> NamespaceRules { get; }

    /// <summary>Every rule with its defaults.</summary>
    public static RuleSet Defaults(RuleCatalog catalog) =>
        new(catalog.Rules.Select(r => new ConfiguredRule(r, r.NewOptions(), r.Descriptor.DefaultAction)).ToArray());

    /// <summary>
    /// Binds <c>&lt;sectionPath&gt;:&lt;rule-id&gt;</c> for each rule. Unknown rule ids, unknown keys and invalid
    /// values are reported with their full configuration key.
    /// </summary>
    public static RuleSet Bind(RuleCatalog catalog, IConfigurationSection rulesSection, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        foreach (var child in rulesSection.GetChildren())
        {
            if (catalog.Find(child.Key) is null)
            {
                problems.Add($"{child.Path}: unknown rule id '{child.Key}'; known rules: {string.Join(", ", catalog.Rules.Select(r => r.Descriptor.Id))}");
            }
        }

        var configured = new List<ConfiguredRule>();
        foreach (var rule in catalog.Rules)
        {
            var section = rulesSection.GetSection(rule.Descriptor.Id);
            var options = rule.NewOptions();
            if (section.Exists())
            {
                try
                {
                    options.BindFrom(section);
                }
                catch (InvalidOperationException ex)
                {
                    problems.Add($"{section.Path}: {ex.Message}");
                }

                if (rule is IMutatingRule && options.Action == RuleAction.Deny)
                {
                    problems.Add($"{section.Path}:Action: a mutating rule injects defaults and denies nothing; use Warn (inject) or Off");
                }

                problems.AddRange(OptionRules.Check(rule.OptionsValidator, options, section.Path));
            }

            configured.Add(new ConfiguredRule(rule, options, options.Action ?? rule.Descriptor.DefaultAction));
        }

        errors = problems;
        return new RuleSet(configured);
    }
}
