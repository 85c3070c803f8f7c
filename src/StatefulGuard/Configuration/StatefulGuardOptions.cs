using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Configuration;

/// <summary>Section <c>StatefulGuard</c> of the configuration. Every key can be overridden as <c>StatefulGuard__Key</c>.</summary>
public sealed class StatefulGuardOptions
{
    public const string SectionName = "StatefulGuard";

    /// <summary>Enforce (default), Audit or Off; the namespace label <c>statefulguard.io/mode</c> overrides it.</summary>
    public GuardMode Mode { get; set; } = GuardMode.Enforce;

    public TlsOptions Tls { get; set; } = new();

    public ClusterOptions Cluster { get; set; } = new();

    public ExceptionsOptions Exceptions { get; set; } = new();

    public ReportsOptions Reports { get; set; } = new();

    /// <summary>Larger AdmissionReview bodies get 413. The apiserver's own limit on an object is 3 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 3 * 1024 * 1024;

    /// <summary>
    /// How long an admission request may take from the moment it is read: its body must arrive within it (else 408 and
    /// the connection is closed), and a request still waiting for an admission slot then is dropped (503). The apiserver
    /// gives up after the webhook's <c>timeoutSeconds</c> (10 s unless set): keep the two equal.
    /// </summary>
    public int AdmissionDeadlineSeconds { get; set; } = 10;

    /// <summary>
    /// Admissions evaluated at once, counted from when the whole body has arrived; more wait in a queue of
    /// <see cref="AdmissionQueueLength"/>, beyond it 503.
    /// </summary>
    public int MaxConcurrentAdmissions { get; set; } = 128;

    public int AdmissionQueueLength { get; set; } = 1024;

    /// <summary>
    /// New connections taken on per second, before their TLS handshake, in all (half of it from any one address; 0:
    /// no limit). The apiserver keeps its connections open; a flood of reconnecting clients waits, or is closed, instead
    /// of taking the CPU from admissions.
    /// </summary>
    public int MaxNewConnectionsPerSecond { get; set; } = 100;

    /// <summary>How long the request path is exercised on a built-in review before the webhook reports ready; 0 skips it.</summary>
    public int WarmupMilliseconds { get; set; } = 1000;

    /// <summary>Text for people, Json for log collectors (use Json in the cluster).</summary>
    public LogFormat LogFormat { get; set; } = LogFormat.Text;

    /// <summary>
    /// Deny (default): a deny rule that cannot evaluate an object denies it, saying why; Allow: it only warns.
    /// Warn and inject rules that fail are skipped with a warning either way.
    /// </summary>
    public RuleErrorPolicy RuleErrors { get; set; } = RuleErrorPolicy.Deny;

    public EngineSettings EngineSettings => new(Mode, Cluster.UnverifiableAction, RuleErrors) { Exceptions = Exceptions.Policy };
}

public sealed class TlsOptions
{
    public string CertFile { get; set; } = "certs/tls.crt";

    public string KeyFile { get; set; } = "certs/tls.key";

    /// <summary>How often the files are checked for a rotated certificate, besides file-change notifications.</summary>
    public int ReloadIntervalSeconds { get; set; } = 10;

    /// <summary>
    /// When set, /validate and /mutate only serve clients presenting a certificate signed by this CA (PEM):
    /// the apiserver's webhook client certificate (its admission control configuration). Health and metrics stay open
    /// for kubelet probes and scrapers, which present none.
    /// </summary>
    public string? ClientCaFile { get; set; }

    /// <summary>
    /// With <see cref="ClientCaFile"/>: the names a client certificate must carry (its subject's common name or a DNS
    /// subject alternative name), so that only the apiserver's webhook client certificate is served even where the CA
    /// signs others too. Unset: any certificate the CA signed.
    /// </summary>
    public string[]? ClientNames { get; set; }
}

public sealed class ClusterOptions
{
    public Core.Cluster.Api.ClusterSource Source { get; set; } = Core.Cluster.Api.ClusterSource.Auto;

    /// <summary>An explicit kubeconfig file; by default KUBECONFIG, then ~/.kube/config, as kubectl finds it.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>
    /// What a rule's violation becomes when the cluster state it needs is unknown (caches not synced, no cluster):
    /// Warn (default) keeps deployments flowing; Deny fails closed; Off says nothing.
    /// </summary>
    public RuleAction UnverifiableAction { get; set; } = RuleAction.Warn;

    /// <summary>Server-side timeout of one watch request; the cache re-watches from the last resourceVersion.</summary>
    public int WatchTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// Upper bound of the backoff while the apiserver fails: after it recovers, the caches follow changes again and the
    /// webhook becomes ready within this (plus one request).
    /// </summary>
    public int MaxBackoffSeconds { get; set; } = 8;

    /// <summary>How long one request to the apiserver may take (a watch: until its headers arrive).</summary>
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>The connection these settings describe (none with <see cref="Core.Cluster.Api.ClusterSource.None"/>).</summary>
    public Core.Cluster.Api.ClusterConnection Connect() =>
        Core.Cluster.Api.ClusterConnection.Create(Source, Kubeconfig, TimeSpan.FromSeconds(RequestTimeoutSeconds));
}

/// <summary>Bounds on StatefulGuardExceptions, held when one is created or updated and whenever it would waive a rule.</summary>
public sealed class ExceptionsOptions
{
    /// <summary>How far after its creation an exception's <c>spec.expires</c> may lie.</summary>
    public int MaxLifetimeDays { get; set; } = 180;

    /// <summary>False allows exceptions without an expiry.</summary>
    public bool RequireExpiry { get; set; } = true;

    public Core.Exceptions.ExceptionPolicy Policy => new(MaxLifetimeDays, RequireExpiry);
}

public enum ReportsFormat
{
    /// <summary>OpenReports <c>openreports.io/v1alpha1</c> Report.</summary>
    OpenReports,

    /// <summary>The Policy WG's <c>wgpolicyk8s.io/v1alpha2</c> PolicyReport.</summary>
    PolicyReport,

    Both,
    Off,
}

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

public enum LogFormat
{
    Text,
    Json,
}
