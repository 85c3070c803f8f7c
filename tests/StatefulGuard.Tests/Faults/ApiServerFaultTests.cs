using System.Diagnostics;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Faults;

/// <summary>
/// Every fault the apiserver (or what stands between it and the webhook) can show, on <c>/version</c>, on every list and
/// on every watch: while it lasts the webhook keeps trying and nothing stops; once it is lifted the webhook is ready
/// within 20 s and its caches follow changes within 10 s.
/// </summary>
public sealed class ApiServerFaultTests
{
    public static TheoryData<ApiFault, string> Cases
    {
        get
        {
            var cases = new TheoryData<ApiFault, string>();
            foreach (var fault in Enum.GetValues<ApiFault>())
            {
                foreach (var target in new[] { "version", "lists", "watches" })
                {
                    cases.Add(fault, target);
                }
            }

            return cases;
        }
    }

    private static FaultTarget Target(string name) => name switch
    {
        "version" => FaultTarget.Version,
        "lists" => FaultTarget.Lists,
        _ => FaultTarget.Watches,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_webhook_comes_back_once_the_fault_is_lifted(ApiFault fault, string target)
    {
        InjectedFault? injected = null;
        await using var scenario = await FaultScenario.StartAsync(api => injected = api.Inject(fault, Target(target)));

        // Tried, failed, tried again (every kind's list and watch is hit at once: each is tried again).
        await injected!.HitAsync(target == "version" ? 2 : 2 * Core.Cluster.ClusterKinds.All.Count, TimeSpan.FromSeconds(20));
        scenario.AssertStillRunning();

        var lifted = Stopwatch.StartNew();
        injected.Lift();
        await scenario.Host.WaitUntilReadyAsync(FaultScenario.ReadyWithin);
        await scenario.AssertCachesFollowAsync();
        scenario.AssertStillRunning();
        Assert.True(lifted.Elapsed < FaultScenario.ReadyWithin, $"took {lifted.Elapsed.TotalSeconds:0.0} s");
    }
}
