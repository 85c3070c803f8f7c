using Serilog.Events;
using StatefulGuard.Serve.Health;
using StatefulGuard.Tests.Faults;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Serve;

/// <summary>The log of a start: one line per change of readiness, with its reason, never one per probe, and no error.</summary>
public sealed class ReadinessLogTests
{
    [Fact]
    public async Task A_start_against_a_healthy_apiserver_logs_no_warning_or_error_and_says_ready_once()
    {
        await using var scenario = await FaultScenario.StartAsync(_ => { });
        await scenario.Host.WaitUntilReadyAsync(FaultScenario.ReadyWithin);
        using var client = scenario.Host.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var probe = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
            Assert.True(probe.IsSuccessStatusCode);
        }

        Assert.DoesNotContain(scenario.Logs.Events, e => e.Level >= LogEventLevel.Warning);
        Assert.Single(scenario.Logs.Events, e => e.Message.StartsWith(ReadinessLog.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Probes_while_not_ready_log_nothing_but_the_first_not_ready_line_and_the_ready_line()
    {
        InjectedFault? hang = null;
        await using var scenario = await FaultScenario.StartAsync(api => hang = api.Inject(ApiFault.Hang, FaultTarget.Lists));
        await hang!.HitAsync(1, TimeSpan.FromSeconds(10));
        using var client = scenario.Host.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var probe = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
            Assert.Equal(503, (int)probe.StatusCode);
        }

        hang.Lift();
        await scenario.Host.WaitUntilReadyAsync(FaultScenario.ReadyWithin);
        for (var i = 0; i < 3; i++)
        {
            using var probe = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
            Assert.True(probe.IsSuccessStatusCode);
        }

        var events = scenario.Logs.Events.ToList();
        Assert.DoesNotContain(events, e => e.Level >= LogEventLevel.Error);
        Assert.DoesNotContain(events, e => e.Category.StartsWith("Microsoft.Extensions.Diagnostics.HealthChecks", StringComparison.Ordinal));
        var notReady = Assert.Single(events, e => e.Message.StartsWith("Not ready", StringComparison.Ordinal));
        Assert.Contains("caches not synced yet", notReady.Message, StringComparison.Ordinal);
        Assert.Single(events, e => e.Message.StartsWith(ReadinessLog.Message, StringComparison.Ordinal));
        // Each cache said it was failing once and working again once, however often it retried.
        Assert.InRange(events.Count(e => e.Message.Contains("retrying in", StringComparison.Ordinal)), 1, Core.Cluster.ClusterKinds.All.Count);
    }
}
