using FluentValidation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Configuration;

/// <summary>Checks the bound options; every message names the configuration key.</summary>
public sealed class StatefulGuardOptionsValidator : AbstractValidator<StatefulGuardOptions>
{
    public StatefulGuardOptionsValidator()
    {
        RuleFor(o => o.Mode).IsInEnum().WithMessage("must be Enforce, Audit or Off");
        RuleFor(o => o.LogFormat).IsInEnum().WithMessage("must be Text or Json");
        RuleFor(o => o.MaxRequestBodyBytes).InclusiveBetween(64 * 1024, 64L * 1024 * 1024).WithMessage(Between);
        RuleFor(o => o.Tls.CertFile).NotEmpty().WithMessage("must name a PEM certificate file");
        RuleFor(o => o.Tls.KeyFile).NotEmpty().WithMessage("must name a PEM private key file");
        RuleFor(o => o.Tls.ReloadIntervalSeconds).InclusiveBetween(1, 3600).WithMessage(Between);
        RuleFor(o => o.Tls.ClientCaFile)
            .Must(File.Exists).When(o => !string.IsNullOrEmpty(o.Tls.ClientCaFile))
            .WithMessage(o => $"file '{o.Tls.ClientCaFile}' does not exist");
        RuleFor(o => o.MaxConcurrentAdmissions).InclusiveBetween(1, 100_000).WithMessage(Between);
        RuleFor(o => o.AdmissionQueueLength).InclusiveBetween(0, 1_000_000).WithMessage(Between);
        RuleFor(o => o.Cluster.Source).IsInEnum().WithMessage("must be Auto, Kubeconfig, InCluster or None");
        RuleFor(o => o.Cluster.UnverifiableAction).IsInEnum().WithMessage("must be Deny, Warn or Off");
        RuleFor(o => o.Cluster.WatchTimeoutSeconds).InclusiveBetween(10, 3600).WithMessage(Between);
        RuleFor(o => o.Cluster.MaxBackoffSeconds).InclusiveBetween(1, 600).WithMessage(Between);
        RuleFor(o => o.Cluster.Kubeconfig)
            .Must(File.Exists).When(o => !string.IsNullOrEmpty(o.Cluster.Kubeconfig))
            .WithMessage(o => $"file '{o.Cluster.Kubeconfig}' does not exist");
    }

    private const string Between = "must be between {From} and {To} (was {PropertyValue})";

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
        problems.AddRange(new StatefulGuardOptionsValidator().Validate(options).Errors
            .Select(e => $"{StatefulGuardOptions.SectionName}:{e.PropertyName.Replace('.', ':')}: {e.ErrorMessage}"));

        rules = Core.Engine.RuleSet.Bind(catalog, section.GetSection(Core.Engine.RuleSet.SectionName), out var ruleProblems);
        problems.AddRange(ruleProblems);
        return problems;
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
