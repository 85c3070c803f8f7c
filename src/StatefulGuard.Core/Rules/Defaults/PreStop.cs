using System.Globalization;
using k8s.Models;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Rules.Defaults;

/// <summary>
/// A <c>preStop</c> sleep for long-running containers without one, so a terminating pod keeps answering
/// until endpoints and DNS no longer point at it. Uses the native <c>sleep</c> action on Kubernetes 1.30+
/// (no binary needed: distroless images have no shell) and <c>exec sleep</c> before that. The sleep is kept
/// well inside <c>terminationGracePeriodSeconds</c>, which is never changed.
/// </summary>
public sealed partial class PreStop : MutatingRule<PreStopOptions>
{
    public const string Id = "prestop";

    public override FluentValidation.IValidator OptionsValidator { get; } = new PreStopOptionsRules();

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Mutating, RuleAction.Warn,
        "injects a preStop sleep (native sleep action on 1.30+) within the termination grace period")
    {
        Help = "Endpoints and DNS drop a terminating pod a few seconds after it is told to stop; a preStop sleep keeps it answering meanwhile. Injected: the native sleep action on 1.30+, exec sleep before, always inside the grace period.",
        SpecFields = ["template"],
        Category = "Availability",
        Severity = RuleSeverity.Low,
    };

    protected override void Apply(MutationContext context, PreStopOptions options)
    {
        if (context.StatefulSet.Spec?.Template?.Spec is not { } spec)
        {
            return;
        }

        var grace = spec.TerminationGracePeriodSeconds ?? 30;
        var seconds = Math.Min(options.SleepSeconds, grace - options.MinShutdownSeconds);
        var version = context.Cluster.ServerVersion ?? ServerVersion.Parse(options.AssumeKubernetesVersion);
        var native = version?.AtLeast(1, 30) == true;

        foreach (var container in PodContainers.LongRunning(spec))
        {
            if (container.Lifecycle?.PreStop is not null)
            {
                continue;
            }

            var name = container.Name;
            if (seconds < 1)
            {
                // A stored hook is still restored; only a new one is not possible.
                if (context.AllowNewInjections)
                {
                    context.Warn($"prestop: grace period {grace}s leaves no room for a preStop sleep in \"{name}\"");
                }
            }

            var handler = context.Fill($"{Id}:{name}", (Name: name, Seconds: seconds, Native: native),
                static (s, a) => PodContainers.Find(s, a.Name)?.Lifecycle?.PreStop, seconds < 1 ? null : static a => Sleep(a.Seconds, a.Native));
            if (handler is not null)
            {
                container.Lifecycle ??= new V1Lifecycle();
                container.Lifecycle.PreStop = handler;
            }
        }
    }

    /// <summary>The sleep a preStop handler holds, or null when it is not a recognisable sleep.</summary>
    internal static long? SleepSeconds(V1LifecycleHandler handler)
    {
        if (handler.Sleep is { } sleep)
        {
            return sleep.Seconds;
        }

        var command = handler.Exec?.Command;
        if (command is null || command.Count == 0)
        {
            return null;
        }

        // ["sleep", "10"], ["/bin/sleep", "10"], or a shell line such as ["sh", "-c", "sleep 10 && nginx -s quit"].
        var line = string.Join(' ', command);
        var match = SleepPattern().Match(line);
        return match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?:^|[\s/;&|])sleep\s+(\d+)(?:s\b|\b)")]
    private static partial System.Text.RegularExpressions.Regex SleepPattern();

    private static V1LifecycleHandler Sleep(long seconds, bool native) => native
        ? new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = seconds } }
        : new V1LifecycleHandler { Exec = new V1ExecAction { Command = ["sleep", seconds.ToString(CultureInfo.InvariantCulture)] } };
}
