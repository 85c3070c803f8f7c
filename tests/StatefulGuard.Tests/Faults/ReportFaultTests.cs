using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using StatefulGuard.Serve.Reports;
using StatefulGuard.Tests.Reports;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Faults;

/// <summary>
/// Every fault on report writes and on the Lease: admission and readiness are never affected, nothing stops, and once
/// the fault is lifted the reports are written within 30 s.
/// </summary>
public sealed class ReportFaultTests
{
    public static TheoryData<ApiFault, string> Cases
    {
        get
        {
            var cases = new TheoryData<ApiFault, string>();
            foreach (var fault in Enum.GetValues<ApiFault>())
            {
                cases.Add(fault, "report writes");
                cases.Add(fault, "lease");
            }

            return cases;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Reports_are_written_once_the_fault_is_lifted(ApiFault fault, string target)
    {
        var ns = ClusterFixture.NewNamespace("rfault");
        InjectedFault? injected = null;
        await using var scenario = await FaultScenario.StartAsync(api =>
        {
            api.Apply("services", Fixtures.HeadlessService(ns));
            api.Apply("statefulsets", ReportSettings.StatefulSet(ns));
            injected = api.Inject(fault, target == "lease" ? FaultTarget.Lease : FaultTarget.ReportWrites);
        }, reports: true);

        await scenario.Host.WaitUntilReadyAsync(FaultScenario.ReadyWithin);
        await injected!.HitAsync(2, TimeSpan.FromSeconds(20));
        scenario.AssertStillRunning();
        Assert.Equal(200, await scenario.ValidateAsync(AdmissionReviews.Create(Fixtures.StatefulSet(ns))));

        var lifted = Stopwatch.StartNew();
        injected.Lift();
        await scenario.Api.WaitUntilAsync(a => ReportSettings.Outcome(a, "reports", ns, "headless-service") == "pass", FaultScenario.ReportsWithin);
        scenario.AssertStillRunning();
        Assert.True(scenario.Host.Services.GetRequiredService<ReportController>().Leading);
        Assert.True(lifted.Elapsed < FaultScenario.ReportsWithin, $"took {lifted.Elapsed.TotalSeconds:0.0} s");
    }
}
