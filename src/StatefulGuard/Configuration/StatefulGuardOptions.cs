using StatefulGuard.Core.Engine;

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

    public EngineSettings ToEngineSettings() => new(Mode, Cluster.UnverifiableAction, RuleErrors) { Exceptions = Exceptions.Policy };
}
