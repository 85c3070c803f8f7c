using Prometheus;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Cluster.Watch;
using StatefulGuard.Core.Exceptions;

namespace StatefulGuard.Serve.Cluster;

/// <summary>
/// Says which StatefulGuardExceptions in the cluster waive nothing because admission would refuse them (stored while the
/// webhook was down, or past a failure policy of Ignore): each is logged once per version with its reasons, and
/// <c>statefulguard_exceptions_invalid</c> counts them.
/// </summary>
internal sealed partial class ExceptionMonitor(KubernetesClusterView view, ExceptionValidator validator, ILogger<ExceptionMonitor> logger) : BackgroundService
{
    public static readonly Gauge Invalid = Metrics.CreateGauge(
        "statefulguard_exceptions_invalid", "StatefulGuardExceptions in the cluster that waive nothing because admission would refuse them.");

    private readonly Lock gate = new();
    private readonly HashSet<(string Reference, string? Version)> said = [];

    /// <summary>The exceptions found invalid at the last look.</summary>
    public IReadOnlyList<string> InvalidNow { get; private set; } = [];

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        view.Changed += OnChanged;
        stoppingToken.Register(() => view.Changed -= OnChanged);
        Check();
        return Task.CompletedTask;
    }

    private void OnChanged(ClusterKind kind, CacheChange change)
    {
        if (kind == ClusterKinds.Exception)
        {
            Check();
        }
    }

    private void Check()
    {
        var invalid = new List<string>();
        lock (gate)
        {
            foreach (var exception in view.Cache(ClusterKinds.Exception)?.All() ?? [])
            {
                var problems = validator.Problems(exception);
                if (problems.Count == 0)
                {
                    continue;
                }

                invalid.Add(exception.Reference);
                if (said.Add((exception.Reference, exception.Metadata?.ResourceVersion)))
                {
                    LogInvalid(logger, exception.Reference, string.Join("; ", problems));
                }
            }
        }

        InvalidNow = invalid;
        Invalid.Set(invalid.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "StatefulGuardException {Exception} waives nothing: admission would refuse it: {Problems}")]
    private static partial void LogInvalid(ILogger logger, string exception, string problems);
}
