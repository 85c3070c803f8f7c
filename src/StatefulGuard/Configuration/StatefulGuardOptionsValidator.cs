using FluentValidation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Configuration;

/// <summary>Checks the bound options (the attributes on <see cref="StatefulGuardOptions"/>); every message names the configuration key.</summary>
public static class StatefulGuardOptionsValidator
{
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

        problems.AddRange(UnknownKeys.Find(section, typeof(StatefulGuardOptions), ignore: Core.Engine.RuleSet.SectionName)
            .Select(k => $"{k}: unknown configuration key"));
        problems.AddRange(OptionChecks.Check(options, StatefulGuardOptions.SectionName));
        problems.AddRange(new ReportsOptionsRules().Validate(options.Reports).Errors
            .Select(e => $"{StatefulGuardOptions.SectionName}:Reports:{e.PropertyName}: {e.ErrorMessage}"));

        rules = Core.Engine.RuleSet.Bind(catalog, section.GetSection(Core.Engine.RuleSet.SectionName), out var ruleProblems);
        problems.AddRange(ruleProblems);
        return problems;
    }
}

/// <summary>What holds between the reports' settings: the Lease timings client-go's leader election requires.</summary>
internal sealed class ReportsOptionsRules : AbstractValidator<ReportsOptions>
{
    public ReportsOptionsRules()
    {
        RuleFor(o => o.RenewDeadlineSeconds).LessThan(o => o.LeaseDurationSeconds)
            .WithMessage(o => $"must be less than LeaseDurationSeconds ({o.LeaseDurationSeconds}): a leader must renew before its lease lapses");
        RuleFor(o => o.RetryPeriodSeconds).LessThan(o => o.RenewDeadlineSeconds)
            .WithMessage(o => $"must be less than RenewDeadlineSeconds ({o.RenewDeadlineSeconds}): a leader must get to retry its renewal");
    }
}

/// <summary>Runs <see cref="StatefulGuardOptionsValidator.Check"/> when the host validates options at start.</summary>
internal sealed class StatefulGuardOptionsStartupValidation(IConfiguration configuration, RuleCatalog catalog)
    : IValidateOptions<StatefulGuardOptions>
{
    public ValidateOptionsResult Validate(string? name, StatefulGuardOptions options)
    {
        var problems = StatefulGuardOptionsValidator.Check(configuration, catalog, out _, out _);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>Finds configuration keys that no options property receives: a typo must not be silently ignored.</summary>
internal static class UnknownKeys
{
    public static IEnumerable<string> Find(IConfigurationSection section, Type type, string? ignore = null)
    {
        var properties = type.GetProperties().Where(p => p.CanWrite)
            .ToDictionary(p => p.Name, p => p.PropertyType, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (string.Equals(child.Key, ignore, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!properties.TryGetValue(child.Key, out var propertyType))
            {
                yield return child.Path;
            }
            else if (propertyType.IsClass && propertyType != typeof(string))
            {
                foreach (var nested in Find(child, propertyType))
                {
                    yield return nested;
                }
            }
        }
    }
}
