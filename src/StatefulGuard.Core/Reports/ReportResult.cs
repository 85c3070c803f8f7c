using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Reports;

/// <summary>One rule's outcome for one StatefulSet, as a report result.</summary>
public sealed record ReportResult(string Policy, string Rule, string Result, RuleSeverity Severity, string Category, string Message,
    IReadOnlyDictionary<string, string> Properties);
