using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Rules.Governance;

/// <summary>
/// The namespace label <c>statefulguard.io/mode</c> switches enforcement for a whole namespace: whoever may label or
/// create namespaces could otherwise turn the webhook off where it matters. Creating a namespace with the label, or
/// adding, changing or removing it, is allowed only for the configured groups (<c>system:masters</c>) and users.
/// </summary>
public sealed class NamespaceProtection : NamespaceRule<NamespaceProtectionOptions>
{
    public const string Id = "namespace-protection";

    public override FluentValidation.IValidator OptionsValidator { get; } = new NamespaceProtectionOptionsRules();

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Deny,
        $"only the allowed groups and users set, change or remove the namespace label {WellKnown.ModeLabel}")
    {
        Help = $"The namespace label {WellKnown.ModeLabel} (enforce, audit, off) overrides StatefulGuard's mode for a whole namespace. Setting it is a platform decision: only members of StatefulGuard:Rules:{Id}:AllowedGroups (default system:masters) or the users in AllowedUsers may add, change or remove it. Ask the platform team, or use a StatefulGuardException to waive one rule for one object.",
        Category = "Governance",
        Severity = RuleSeverity.High,
    };

    protected override IEnumerable<Finding> Check(NamespaceRuleContext context, NamespaceProtectionOptions options)
    {
        if (context.Operation is not (Operation.Create or Operation.Update))
        {
            yield break;
        }

        var before = Value(context.OldLabels);
        var after = Value(context.Labels);
        if (before == after || Allowed(context, options))
        {
            yield break;
        }

        var change = (before, after) switch
        {
            (null, _) when context.Operation == Operation.Create => $"create namespace \"{context.Name}\" with {WellKnown.ModeLabel}={after}",
            (null, _) => $"add {WellKnown.ModeLabel}={after} to namespace \"{context.Name}\"",
            (_, null) => $"remove {WellKnown.ModeLabel}={before} from namespace \"{context.Name}\"",
            _ => $"change {WellKnown.ModeLabel} of namespace \"{context.Name}\" from {before} to {after}",
        };
        var who = string.Join(", ", options.EffectiveAllowedGroups.Select(g => $"group {g}").Concat(options.EffectiveAllowedUsers.Select(u => $"user {u}")));
        yield return Violation("mode-label-guarded", $"metadata.labels.{WellKnown.ModeLabel}",
                $"{context.Username ?? "this user"} may not {change}: the label switches StatefulGuard for the whole namespace; only {who} may set it",
                $"ask a member of {who} to set the label, or leave it as it was")
            with { Summary = $"only {who} may set {WellKnown.ModeLabel}" };
    }

    private static string? Value(IDictionary<string, string>? labels) => labels?.TryGetValue(WellKnown.ModeLabel, out var value) == true ? value : null;

    private static bool Allowed(NamespaceRuleContext context, NamespaceProtectionOptions options) =>
        (context.Username is { } user && options.EffectiveAllowedUsers.Contains(user, StringComparer.Ordinal))
        || context.Groups.Any(g => options.EffectiveAllowedGroups.Contains(g, StringComparer.Ordinal));
}
