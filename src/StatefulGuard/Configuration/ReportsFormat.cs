namespace StatefulGuard.Configuration;

public enum ReportsFormat
{
    /// <summary>OpenReports <c>openreports.io/v1alpha1</c> Report.</summary>
    OpenReports,

    /// <summary>The Policy WG's <c>wgpolicyk8s.io/v1alpha2</c> PolicyReport.</summary>
    PolicyReport,

    Both,
    Off,
}
