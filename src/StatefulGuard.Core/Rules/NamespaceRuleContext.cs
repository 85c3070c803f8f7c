using StatefulGuard.Core.Admission;

namespace StatefulGuard.Core.Rules;

/// <summary>What a rule sees of a Namespace change: its name, the labels before and after (either may be absent) and who asked.</summary>
public sealed record NamespaceRuleContext(
    Operation Operation, string Name, IDictionary<string, string>? Labels, IDictionary<string, string>? OldLabels, string? Username, IReadOnlyList<string> Groups);
