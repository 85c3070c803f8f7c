using System.Globalization;
using FluentValidation;
using FluentValidation.Results;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// The checks options share, as FluentValidation rules, and the step that turns a validation result into messages
/// that start with their configuration key, e.g. <c>StatefulGuard:Tls:ReloadIntervalSeconds: must be between 1 and
/// 3600 (was 0)</c>. Every rule runs, so every problem is reported at once.
/// </summary>
public static class OptionRules
{
    /// <summary>An integer setting within [<paramref name="min"/>, <paramref name="max"/>]; the message says what was given.</summary>
    public static IRuleBuilderOptions<T, int> Between<T>(this IRuleBuilder<T, int> rule, int min, int max) =>
        rule.InclusiveBetween(min, max).WithMessage((_, value) => Range(min, max, value));

    /// <inheritdoc cref="Between{T}(IRuleBuilder{T, int}, int, int)"/>
    public static IRuleBuilderOptions<T, long> Between<T>(this IRuleBuilder<T, long> rule, long min, long max) =>
        rule.InclusiveBetween(min, max).WithMessage((_, value) => Range(min, max, value));

    /// <summary>An enum setting that holds one of its named values (the binder also takes numbers, e.g. <c>7</c>).</summary>
    public static IRuleBuilderOptions<T, TEnum> Named<T, TEnum>(this IRuleBuilder<T, TEnum> rule)
        where TEnum : struct, Enum =>
        rule.IsInEnum().WithMessage($"must be {Alternatives(Enum.GetNames<TEnum>())}");

    /// <inheritdoc cref="Named{T, TEnum}(IRuleBuilder{T, TEnum})"/>
    public static IRuleBuilderOptions<T, TEnum?> Named<T, TEnum>(this IRuleBuilder<T, TEnum?> rule)
        where TEnum : struct, Enum =>
        rule.Must(value => value is null || Enum.IsDefined(value.Value)).WithMessage($"must be {Alternatives(Enum.GetNames<TEnum>())}");

    /// <summary>A string setting that holds one of <paramref name="allowed"/> (case-sensitive, as the API spells them).</summary>
    public static IRuleBuilderOptions<T, string> OneOf<T>(this IRuleBuilder<T, string> rule, params string[] allowed) =>
        rule.Must(allowed.Contains).WithMessage($"must be {Alternatives(allowed)}");

    /// <summary>An optional Kubernetes version setting: when set, it must read as one (e.g. <c>1.31</c>).</summary>
    public static IRuleBuilderOptions<T, string?> KubernetesVersion<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(version => string.IsNullOrEmpty(version) || Cluster.ServerVersion.Parse(version) is not null).WithMessage("must look like 1.31");

    /// <summary>An optional file setting: when set, the file must exist.</summary>
    public static IRuleBuilderOptions<T, string?> ExistingFile<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(path => string.IsNullOrEmpty(path) || File.Exists(path)).WithMessage((_, path) => $"file '{path}' does not exist");

    /// <summary>
    /// The problems of <paramref name="result"/>, each as <c>&lt;section&gt;:&lt;key&gt;: &lt;message&gt;</c>: nested
    /// members and list entries are spelled as configuration keys (<c>Tls:CertFile</c>, <c>TopologyKeys:1</c>).
    /// </summary>
    public static IEnumerable<string> Problems(this ValidationResult result, string sectionPath) =>
        result.Errors.Select(e => string.IsNullOrEmpty(e.PropertyName)
            ? $"{sectionPath}: {e.ErrorMessage}"
            : $"{sectionPath}:{Key(e.PropertyName)}: {e.ErrorMessage}");

    /// <summary>Checks options of any type with the validator for their type.</summary>
    public static IEnumerable<string> Check(IValidator validator, object options, string sectionPath) =>
        validator.Validate(new ValidationContext<object>(options)).Problems(sectionPath);

    private static string Key(string propertyName) =>
        propertyName.Replace('.', ':').Replace("[", ":", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal);

    private static string Range(long min, long max, long value) =>
        string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max} (was {value})");

    private static string Alternatives(string[] names) =>
        names.Length == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Length - 1))} or {names[^1]}";
}
