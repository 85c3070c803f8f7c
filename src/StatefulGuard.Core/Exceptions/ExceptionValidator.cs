using FluentValidation;

namespace StatefulGuard.Core.Exceptions;

/// <summary>The bounds a platform team sets on exceptions (<c>StatefulGuard:Exceptions</c>).</summary>
/// <param name="MaxLifetimeDays">How far ahead an exception may expire.</param>
/// <param name="RequireExpiry">False allows exceptions without <c>spec.expires</c> (permanent ones).</param>
public sealed record ExceptionPolicy(int MaxLifetimeDays = 180, bool RequireExpiry = true);

/// <summary>
/// What makes a StatefulGuardException admissible: rules that exist (named, never <c>*</c>), at least one target, a
/// reason, and an expiry in the future within the policy's lifetime. Every message names the field it is about.
/// </summary>
public sealed class ExceptionValidator : AbstractValidator<StatefulGuardException>
{
    public ExceptionValidator(IReadOnlySet<string> ruleIds, ExceptionPolicy policy, TimeProvider clock)
    {
        RuleFor(e => e.Metadata.Name).NotEmpty().OverridePropertyName("metadata.name").WithMessage("metadata.name is required");
        RuleFor(e => e.Spec).NotNull().OverridePropertyName("spec").WithMessage("spec is required");
        When(e => e.Spec is not null, () =>
        {
            RuleFor(e => e.Spec!.Rules).NotEmpty().OverridePropertyName("spec.rules")
                .WithMessage("spec.rules must name at least one rule id");
            RuleForEach(e => e.Spec!.Rules)
                .Must(id => id != "*").WithMessage("spec.rules[{CollectionIndex}]: \"*\" is not allowed; name the rules you waive")
                .Must(id => id == "*" || ruleIds.Contains(id ?? "")).WithMessage((_, id) =>
                    $"spec.rules[{{CollectionIndex}}]: unknown rule id \"{id}\" (known: {string.Join(", ", ruleIds.Order(StringComparer.Ordinal))})")
                .OverridePropertyName("spec.rules");
            RuleFor(e => e.Spec!).Must(s => Targets(s.StatefulSets) || Targets(s.Services)).OverridePropertyName("spec.statefulSets")
                .WithMessage("spec.statefulSets or spec.services must name at least one object (a name or a glob)");
            RuleForEach(e => e.Spec!.StatefulSets).NotEmpty().WithMessage("spec.statefulSets[{CollectionIndex}] must not be empty").OverridePropertyName("spec.statefulSets");
            RuleForEach(e => e.Spec!.Services).NotEmpty().WithMessage("spec.services[{CollectionIndex}] must not be empty").OverridePropertyName("spec.services");
            RuleFor(e => e.Spec!.Reason).NotEmpty().Must(r => !string.IsNullOrWhiteSpace(r)).OverridePropertyName("spec.reason")
                .WithMessage("spec.reason is required: say why the rule is waived");
            RuleFor(e => e.Spec!.Expires).NotNull().When(_ => policy.RequireExpiry).OverridePropertyName("spec.expires")
                .WithMessage($"spec.expires is required (RFC 3339, at most {policy.MaxLifetimeDays} days ahead)");
            RuleFor(e => e.Spec!.Expires).Must(x => x > clock.GetUtcNow()).When(e => e.Spec!.Expires is not null).OverridePropertyName("spec.expires")
                .WithMessage((_, x) => $"spec.expires {x:yyyy-MM-ddTHH:mm:ssZ} is in the past");
            RuleFor(e => e.Spec!.Expires).Must(x => x <= clock.GetUtcNow().AddDays(policy.MaxLifetimeDays)).When(e => e.Spec!.Expires is not null)
                .OverridePropertyName("spec.expires")
                .WithMessage((_, x) => $"spec.expires {x:yyyy-MM-dd} is beyond the maximum lifetime of {policy.MaxLifetimeDays} days (StatefulGuard:Exceptions:MaxLifetimeDays)");
        });
    }

    private static bool Targets(IList<string>? names) => names?.Any(n => !string.IsNullOrEmpty(n)) == true;
}
