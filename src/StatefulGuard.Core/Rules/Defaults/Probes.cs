using k8s.Models;

namespace StatefulGuard.Core.Rules.Defaults;

/// <summary>
/// Startup, readiness and liveness probes for long-running containers that have none, as TCP checks on a
/// declared port (by name when it has one, so renumbering the port does not break the probe). The startup
/// probe tolerates minutes of recovery before liveness starts counting. A container that declares no TCP
/// port gets nothing: a guessed port would fail and restart it forever.
/// </summary>
public sealed class Probes : MutatingRule<ProbesOptions>
{
    public const string Id = "probes";

    public override FluentValidation.IValidator OptionsValidator { get; } = new ProbesOptionsRules();

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Mutating, RuleAction.Warn,
        "injects TCP startup, readiness and liveness probes on a declared port where a container has none")
    {
        Help = "Without probes a stuck replica keeps receiving traffic and a crashed one is not restarted. Injected: TCP startup (15 minutes to start), readiness and conservative liveness probes on a declared port; containers without a TCP port get none.",
        SpecFields = ["template"],
        Category = "Availability",
        Severity = RuleSeverity.Medium,
    };

    protected override void Apply(MutationContext context, ProbesOptions options)
    {
        if (context.StatefulSet.Spec?.Template?.Spec is not { } spec)
        {
            return;
        }

        foreach (var container in PodContainers.LongRunning(spec))
        {
            if (container is { StartupProbe: not null, ReadinessProbe: not null, LivenessProbe: not null })
            {
                continue;
            }

            var name = container.Name;
            if (ProbePort(container) is not { } port)
            {
                if (context.AllowNewInjections)
                {
                    context.Warn($"probes: container \"{name}\" declares no TCP port, so no probe was injected");
                }

                continue;
            }

            var state = (Name: name, Port: port, Options: options);
            container.StartupProbe ??= context.Fill($"{Id}:{name}/startup", state, static (s, a) => PodContainers.Find(s, a.Name)?.StartupProbe,
                static a => Tcp(a.Port, a.Options.StartupPeriodSeconds, a.Options.StartupFailureThreshold, a.Options.TimeoutSeconds));
            container.ReadinessProbe ??= context.Fill($"{Id}:{name}/readiness", state, static (s, a) => PodContainers.Find(s, a.Name)?.ReadinessProbe,
                static a => Tcp(a.Port, a.Options.ReadinessPeriodSeconds, a.Options.ReadinessFailureThreshold, a.Options.TimeoutSeconds));
            container.LivenessProbe ??= context.Fill($"{Id}:{name}/liveness", state, static (s, a) => PodContainers.Find(s, a.Name)?.LivenessProbe,
                static a => Tcp(a.Port, a.Options.LivenessPeriodSeconds, a.Options.LivenessFailureThreshold, a.Options.TimeoutSeconds));
        }
    }

    /// <summary>The first named TCP port, else the first TCP port.</summary>
    internal static IntOrString? ProbePort(V1Container container)
    {
        V1ContainerPort? first = null;
        for (var i = 0; i < (container.Ports?.Count ?? 0); i++)
        {
            if (container.Ports![i] is { Protocol: null or "TCP", ContainerPort: > 0 } port)
            {
                if (!string.IsNullOrEmpty(port.Name))
                {
                    return port.Name;
                }

                first ??= port;
            }
        }

        return first?.ContainerPort;
    }

    // Every field is set, so the apiserver's defaulting adds nothing and a re-mutation finds nothing to do.
    private static V1Probe Tcp(IntOrString port, int period, int failures, int timeout) => new()
    {
        TcpSocket = new V1TCPSocketAction { Port = port },
        PeriodSeconds = period,
        TimeoutSeconds = timeout,
        FailureThreshold = failures,
        SuccessThreshold = 1,
    };
}
