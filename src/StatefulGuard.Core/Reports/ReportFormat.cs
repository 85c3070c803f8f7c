namespace StatefulGuard.Core.Reports;

/// <summary>The policy report APIs StatefulGuard writes: both have the same shape (scope, summary, results).</summary>
public sealed record ReportFormat(string Name, string Group, string Version, string Plural, string Kind)
{
    /// <summary>OpenReports: Kubewarden's default, read by Policy Reporter and others.</summary>
    public static readonly ReportFormat OpenReports = new("OpenReports", "openreports.io", "v1alpha1", "reports", "Report");

    /// <summary>The Policy WG's PolicyReport: Kyverno's default.</summary>
    public static readonly ReportFormat PolicyReport = new("PolicyReport", "wgpolicyk8s.io", "v1alpha2", "policyreports", "PolicyReport");

    public string ApiVersion => Group + "/" + Version;
}
