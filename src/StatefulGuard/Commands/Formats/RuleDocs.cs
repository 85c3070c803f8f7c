using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Commands.Formats;

/// <summary>What the reports say about a rule: its descriptor and where its documentation lives.</summary>
internal static class RuleDocs
{
    public const string ProjectUrl = "https://github.com/statefulguard/statefulguard";

    /// <summary>The rule's section in docs/rules.md (GitHub's anchor for <c>### `id`</c> is the id).</summary>
    public static string Url(string ruleId) => $"{ProjectUrl}/blob/main/docs/rules.md#{ruleId}";

    /// <summary>The checks an audit runs on every StatefulSet: the validating rules (switched off or not) and the input's apiVersion check.</summary>
    public static IReadOnlyList<(RuleDescriptor Rule, RuleAction Action)> Checks(RuleSet rules) =>
        [.. rules.Rules.Where(r => r.Rule is IValidatingRule).Select(r => (r.Rule.Descriptor, r.Action)), (ManifestAudit.ApiVersionCheck, RuleAction.Deny)];

    public static RuleDescriptor Descriptor(string ruleId) =>
        ruleId == ManifestAudit.ApiVersionCheck.Id ? ManifestAudit.ApiVersionCheck
        : RuleCatalog.Default.Find(ruleId)?.Descriptor ?? new RuleDescriptor(ruleId, RuleKind.Validating, RuleAction.Warn, ruleId);

    public static string Severity(string ruleId) => Descriptor(ruleId).Severity.ToString().ToLowerInvariant();
}
