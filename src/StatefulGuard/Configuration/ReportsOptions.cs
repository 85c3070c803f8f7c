namespace StatefulGuard.Configuration;

/// <summary>The policy reports <c>serve</c> keeps for every StatefulSet in the cluster.</summary>
public sealed class ReportsOptions
{
    public ReportsFormat Format { get; set; } = ReportsFormat.OpenReports;

    /// <summary>Every StatefulSet is re-evaluated this often besides on changes (a report is written only if it changed).</summary>
    public int ResyncMinutes { get; set; } = 60;

    /// <summary>Report writes (create, update, delete) per second, at most.</summary>
    public int WritesPerSecond { get; set; } = 20;

    /// <summary>Changes arriving within this window are evaluated together.</summary>
    public int DebounceMilliseconds { get; set; } = 250;

    /// <summary>The Lease that elects the one replica that writes, in <see cref="LeaseNamespace"/>.</summary>
    public string LeaseName { get; set; } = "statefulguard-reports";

    /// <summary>The webhook's namespace: POD_NAMESPACE, else the service account's, else <c>statefulguard</c>.</summary>
    public string? LeaseNamespace { get; set; }

    public int LeaseDurationSeconds { get; set; } = 15;

    public int RenewDeadlineSeconds { get; set; } = 10;

    public int RetryPeriodSeconds { get; set; } = 2;

    public IReadOnlyList<Core.Reports.ReportFormat> Formats => Format switch
    {
        ReportsFormat.OpenReports => [Core.Reports.ReportFormat.OpenReports],
        ReportsFormat.PolicyReport => [Core.Reports.ReportFormat.PolicyReport],
        ReportsFormat.Both => [Core.Reports.ReportFormat.OpenReports, Core.Reports.ReportFormat.PolicyReport],
        _ => [],
    };
}
