using FluentValidation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
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

        problems.AddRange(UnknownKeys.Find(section, typeof(StatefulGuardOptions), ignore: Core.Engine.RuleSet.SectionName)
            .Select(k => $"{k}: unknown configuration key"));
        problems.AddRange(Rules.Validate(options).Problems(StatefulGuardOptions.SectionName));

        rules = Core.Engine.RuleSet.Bind(catalog, section.GetSection(Core.Engine.RuleSet.SectionName), out var ruleProblems);
        problems.AddRange(ruleProblems);
        return problems;
    }
}

/// <summary>The section as bound once: the options, the rules with their settings, and what is wrong with them.</summary>
public sealed record StatefulGuardSettings(StatefulGuardOptions Options, Core.Engine.RuleSet Rules, IReadOnlyList<string> Problems)
{
    public static StatefulGuardSettings Load(IConfiguration configuration, RuleCatalog catalog)
    {
        var problems = StatefulGuardOptionsValidator.Check(configuration, catalog, out var options, out var rules);
        return new(options, rules, problems);
    }
}

/// <summary>What <see cref="StatefulGuardOptions"/> must hold: ranges, named values, files that exist.</summary>
internal sealed class StatefulGuardOptionsRules : AbstractValidator<StatefulGuardOptions>
{
    public StatefulGuardOptionsRules()
    {
        RuleFor(o => o.Mode).Named();
        RuleFor(o => o.MaxRequestBodyBytes).Between(64 * 1024, 64L * 1024 * 1024);
        RuleFor(o => o.AdmissionDeadlineSeconds).Between(1, 30);
        RuleFor(o => o.MaxConcurrentAdmissions).Between(1, 100_000);
        RuleFor(o => o.AdmissionQueueLength).Between(0, 1_000_000);
        RuleFor(o => o.MaxNewConnectionsPerSecond).Between(0, 1_000_000);
        RuleFor(o => o.WarmupMilliseconds).Between(0, 10_000);
        RuleFor(o => o.LogFormat).Named();
        RuleFor(o => o.RuleErrors).Named();
        RuleFor(o => o.Tls).SetValidator(new TlsOptionsRules());
        RuleFor(o => o.Cluster).SetValidator(new ClusterOptionsRules());
        RuleFor(o => o.Exceptions).SetValidator(new ExceptionsOptionsRules());
        RuleFor(o => o.Reports).SetValidator(new ReportsOptionsRules());
    }
}

internal sealed class TlsOptionsRules : AbstractValidator<TlsOptions>
{
    public TlsOptionsRules()
    {
        RuleFor(o => o.CertFile).NotEmpty().WithMessage("must name a PEM certificate file");
        RuleFor(o => o.KeyFile).NotEmpty().WithMessage("must name a PEM private key file");
        RuleFor(o => o.ReloadIntervalSeconds).Between(1, 3600);
        RuleFor(o => o.ClientCaFile).ExistingFile();
        RuleFor(o => o.ClientCaFile).NotEmpty().When(o => o.ClientNames is { Length: > 0 })
            .WithMessage("must be set when ClientNames is: the names are checked on certificates this CA signed");
        RuleForEach(o => o.ClientNames).NotEmpty().WithMessage("must not hold an empty name");
    }
}

internal sealed class ClusterOptionsRules : AbstractValidator<ClusterOptions>
{
    public ClusterOptionsRules()
    {
        RuleFor(o => o.Source).Named();
        RuleFor(o => o.Kubeconfig).ExistingFile();
        RuleFor(o => o.UnverifiableAction).Named();
        RuleFor(o => o.WatchTimeoutSeconds).Between(10, 3600);
        RuleFor(o => o.MaxBackoffSeconds).Between(1, 600);
        RuleFor(o => o.RequestTimeoutSeconds).Between(1, 300);
    }
}

internal sealed class ExceptionsOptionsRules : AbstractValidator<ExceptionsOptions>
{
    public ExceptionsOptionsRules() => RuleFor(o => o.MaxLifetimeDays).Between(1, 3650);
}

/// <summary>The reports' settings, and what holds between them: the Lease timings client-go's leader election requires.</summary>
internal sealed class ReportsOptionsRules : AbstractValidator<ReportsOptions>
{
    public ReportsOptionsRules()
    {
        RuleFor(o => o.Format).Named();
        RuleFor(o => o.ResyncMinutes).Between(1, 10_080);
        RuleFor(o => o.WritesPerSecond).Between(1, 10_000);
        RuleFor(o => o.DebounceMilliseconds).Between(0, 60_000);
        RuleFor(o => o.LeaseName).NotEmpty().WithMessage("must name the Lease");
        RuleFor(o => o.LeaseDurationSeconds).Between(2, 600);
        RuleFor(o => o.RenewDeadlineSeconds).Between(1, 600);
        RuleFor(o => o.RetryPeriodSeconds).Between(1, 60);
        RuleFor(o => o.RenewDeadlineSeconds).LessThan(o => o.LeaseDurationSeconds)
            .WithMessage(o => $"must be less than LeaseDurationSeconds ({o.LeaseDurationSeconds}): a leader must renew before its lease lapses");
        RuleFor(o => o.RetryPeriodSeconds).LessThan(o => o.RenewDeadlineSeconds)
            .WithMessage(o => $"must be less than RenewDeadlineSeconds ({o.RenewDeadlineSeconds}): a leader must get to retry its renewal");
    }
}

/// <summary>
/// Creates <see cref="StatefulGuardOptions"/> from the one binding in <see cref="StatefulGuardSettings"/> instead of
/// binding the section again; the host's options validation then runs on it as usual.
/// </summary>
internal sealed class BoundOptionsFactory(
    StatefulGuardSettings settings,
    IEnumerable<IConfigureOptions<StatefulGuardOptions>> setups,
    IEnumerable<IPostConfigureOptions<StatefulGuardOptions>> postConfigures,
    IEnumerable<IValidateOptions<StatefulGuardOptions>> validations)
    : OptionsFactory<StatefulGuardOptions>(setups, postConfigures, validations)
{
    protected override StatefulGuardOptions CreateInstance(string name) => settings.Options;
}

/// <summary>Fails the host's start with every problem of the configuration, in one message naming the keys.</summary>
internal sealed class StatefulGuardOptionsStartupValidation(StatefulGuardSettings settings) : IValidateOptions<StatefulGuardOptions>
{
    public ValidateOptionsResult Validate(string? name, StatefulGuardOptions options) =>
        settings.Problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(settings.Problems);
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
            else if (propertyType.IsArray)
            {
                // A list's entries are keyed by index: 0, 1, ...
                foreach (var entry in child.GetChildren().Where(e => !int.TryParse(e.Key, System.Globalization.CultureInfo.InvariantCulture, out _)))
                {
                    yield return entry.Path;
                }
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
