using System.Runtime.CompilerServices;
using FluentValidation;

namespace StatefulGuard.Core.Exceptions;

/// <summary>
/// The one judge of whether a StatefulGuardException may waive anything: rules that exist (named, never <c>*</c>), at
/// least one target, a reason, an expiry when the policy requires one, and a lifetime (from its creation to its expiry)
/// within the policy's. The same rules hold when an exception is admitted, when the engine would use it (the webhook,
/// the reports, <c>audit</c>) and in <c>statefulguard exceptions</c>: an exception stored without passing admission (made
/// while the webhook was down, or under a failure policy of Ignore) waives nothing if admission would have refused it.
/// At admission, an expiry in the past is refused too; later, an exception past its expiry has simply expired. Every
/// message names the field it is about.
/// </summary>
public sealed class ExceptionValidator : AbstractValidator<StatefulGuardException>
{
    /// <summary>The rule set that holds only when an exception is created or changed.</summary>
    public const string AdmissionOnly = "Admission";

    private readonly ConditionalWeakTable<StatefulGuardException, IReadOnlyList<string>> judged = [];

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
                .WithMessage($"spec.expires is required (RFC 3339, at most {policy.MaxLifetimeDays} days after the exception is created; StatefulGuard:Exceptions:RequireExpiry)");
            RuleFor(e => e).Must(e => e.Spec!.Expires <= Created(e, clock).AddDays(policy.MaxLifetimeDays)).When(e => e.Spec!.Expires is not null)
                .OverridePropertyName("spec.expires")
                .WithMessage(e => $"spec.expires {e.Spec!.Expires:yyyy-MM-dd} is more than {policy.MaxLifetimeDays} days after the exception's creation ({Created(e, clock):yyyy-MM-dd}; StatefulGuard:Exceptions:MaxLifetimeDays)");
        });
        RuleSet(AdmissionOnly, () =>
            RuleFor(e => e.Spec!.Expires).Must(x => x > clock.GetUtcNow()).When(e => e.Spec?.Expires is not null).OverridePropertyName("spec.expires")
                .WithMessage((_, x) => $"spec.expires {x:yyyy-MM-ddTHH:mm:ssZ} is in the past"));
    }

    /// <summary>Why admission refuses the exception (created or changed now); empty when it is admitted.</summary>
    public IReadOnlyList<string> AdmissionProblems(StatefulGuardException exception) =>
        Messages(this.Validate(exception, o => o.IncludeRuleSets("default", AdmissionOnly)));

    /// <summary>
    /// Why the exception may not waive anything, whenever it is looked at; empty when it may. Judged once per object
    /// read (what the webhook's cache holds stays the same object until it changes).
    /// </summary>
    public IReadOnlyList<string> Problems(StatefulGuardException exception) =>
        judged.GetValue(exception, e => Messages(Validate(e)));

    public bool MayWaive(StatefulGuardException exception) => Problems(exception).Count == 0;

    /// <summary>When the exception was created: its creationTimestamp, or now for one being created (it has none yet).</summary>
    private static DateTimeOffset Created(StatefulGuardException exception, TimeProvider clock) =>
        exception.Metadata?.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : clock.GetUtcNow();

    private static string[] Messages(FluentValidation.Results.ValidationResult result) => [.. result.Errors.Select(e => e.ErrorMessage).Distinct()];

    private static bool Targets(IList<string>? names) => names?.Any(n => !string.IsNullOrEmpty(n)) == true;
}
