using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// Checks options declared with DataAnnotations attributes, descending into members marked
/// <see cref="CheckMembersAttribute"/>. Every check is on one member, so every problem is reported at once, each
/// starting with its configuration key, e.g. <c>StatefulGuard:Tls:CertFile: must name a PEM certificate file</c>.
/// </summary>
public static class OptionChecks
{
    public static IEnumerable<string> Check(object options, string sectionPath)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var member = result.MemberNames.FirstOrDefault();
            yield return member is null ? $"{sectionPath}: {result.ErrorMessage}" : $"{sectionPath}:{member}: {result.ErrorMessage}";
        }

        foreach (var property in options.GetType().GetProperties())
        {
            if (property.IsDefined(typeof(CheckMembersAttribute)) && property.GetValue(options) is { } nested)
            {
                foreach (var problem in Check(nested, $"{sectionPath}:{property.Name}"))
                {
                    yield return problem;
                }
            }
        }
    }

    /// <summary>The member a failure belongs to, so that its message is prefixed with the member's key.</summary>
    internal static string[] MemberOf(ValidationContext context) => context.MemberName is { } name ? [name] : [];
}

/// <summary>The member is an options object of its own: its members are checked too.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class CheckMembersAttribute : Attribute;

/// <summary>An integer setting within [<paramref name="min"/>, <paramref name="max"/>]; the message says what was given.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class BetweenAttribute(long min, long max) : ValidationAttribute
{
    public long Min { get; } = min;

    public long Max { get; } = max;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var number = Convert.ToInt64(value, CultureInfo.InvariantCulture);
        return number >= Min && number <= Max
            ? ValidationResult.Success
            : new ValidationResult(
                string.Create(CultureInfo.InvariantCulture, $"must be between {Min} and {Max} (was {number})"), OptionChecks.MemberOf(validationContext));
    }
}

/// <summary>A list setting whose entries must not be blank; the failure names the entry's key (e.g. <c>TopologyKeys:1</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NoBlankEntriesAttribute(string message) : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var entries = value as IReadOnlyList<string?> ?? [];
        for (var i = 0; i < entries.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(entries[i]))
            {
                return new ValidationResult(message, [$"{validationContext.MemberName}:{i}"]);
            }
        }

        return ValidationResult.Success;
    }
}

/// <summary>An optional Kubernetes version setting: when set, it must read as one (e.g. <c>1.31</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class KubernetesVersionAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is not string { Length: > 0 } version || Cluster.ServerVersion.Parse(version) is not null
            ? ValidationResult.Success
            : new ValidationResult("must look like 1.31", OptionChecks.MemberOf(validationContext));
}

/// <summary>An optional file setting: when set, the file must exist.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ExistingFileAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is not string { Length: > 0 } path || File.Exists(path)
            ? ValidationResult.Success
            : new ValidationResult($"file '{path}' does not exist", OptionChecks.MemberOf(validationContext));
}
