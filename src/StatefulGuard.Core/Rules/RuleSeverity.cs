namespace StatefulGuard.Core.Rules;

/// <summary>A finding's weight in policy reports (OpenReports' and PolicyReport's severity values).</summary>
public enum RuleSeverity
{
    Info,
    Low,
    Medium,
    High,
    Critical,
}
