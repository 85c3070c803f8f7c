using k8s.Models;

namespace StatefulGuard.Core.Rules.Defaults;

/// <summary>
/// Fills pod and container <c>securityContext</c> fields that are absent, merging into what is there:
/// <c>seccompProfile: RuntimeDefault</c> on the pod, <c>allowPrivilegeEscalation: false</c> on containers
/// that are not privileged and do not add SYS_ADMIN (the apiserver rejects that combination), and
/// <c>runAsNonRoot</c> plus <c>capabilities.drop: [ALL]</c> only where a non-root user is declared — official
/// database images start as root to chown their data and drop privileges themselves, and would crash.
/// </summary>
public sealed class SecurityContextDefaults : MutatingRule<SecurityContextOptions>
{
    public const string Id = "security-context";

    public override FluentValidation.IValidator OptionsValidator { get; } = new SecurityContextOptionsRules();

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Mutating, RuleAction.Warn,
        "injects seccomp RuntimeDefault, allowPrivilegeEscalation: false, and non-root settings where a non-root user is declared")
    {
        Help = "Safe hardening that never stops a pod from starting: seccomp RuntimeDefault, no privilege escalation (except privileged or SYS_ADMIN containers), and non-root plus drop ALL only where a non-root user is declared.",
        SpecFields = ["template"],
        Category = "Security",
        Severity = RuleSeverity.Medium,
    };

    protected override void Apply(MutationContext context, SecurityContextOptions options)
    {
        if (context.StatefulSet.Spec?.Template?.Spec is not { } spec || spec.Os?.Name == "windows")
        {
            return;
        }

        if (spec.SecurityContext?.SeccompProfile is null)
        {
            var profile = context.Fill($"{Id}:pod/seccompProfile", 0, static (s, _) => s.Spec?.Template?.Spec?.SecurityContext?.SeccompProfile,
                static _ => new V1SeccompProfile { Type = "RuntimeDefault" });
            if (profile is not null)
            {
                (spec.SecurityContext ??= new V1PodSecurityContext()).SeccompProfile = profile;
            }
        }

        var pod = spec.SecurityContext;
        foreach (var container in PodContainers.All(spec))
        {
            var name = container.Name;
            var current = container.SecurityContext;
            if (current?.Privileged == true)
            {
                continue;
            }

            if (current?.AllowPrivilegeEscalation is null && !AddsSysAdmin(current))
            {
                var value = context.FillValue($"{Id}:{name}/allowPrivilegeEscalation", name,
                    static (s, n) => PodContainers.Find(s, n)?.SecurityContext?.AllowPrivilegeEscalation, false);
                if (value is not null)
                {
                    (container.SecurityContext ??= new V1SecurityContext()).AllowPrivilegeEscalation = value;
                }
            }

            var user = current?.RunAsUser ?? pod?.RunAsUser;
            var nonRoot = user is > 0 || (user is null && (current?.RunAsNonRoot ?? pod?.RunAsNonRoot) == true)
                          || (options.Profile == SecurityProfile.Restricted && user is not 0);
            if (!nonRoot)
            {
                continue;
            }

            if (current?.RunAsNonRoot is null && pod?.RunAsNonRoot is null)
            {
                var value = context.FillValue($"{Id}:{name}/runAsNonRoot", name,
                    static (s, n) => PodContainers.Find(s, n)?.SecurityContext?.RunAsNonRoot, true);
                if (value is not null)
                {
                    (container.SecurityContext ??= new V1SecurityContext()).RunAsNonRoot = value;
                }
            }

            if (current?.Capabilities?.Drop is not { Count: > 0 })
            {
                var drop = context.Fill($"{Id}:{name}/capabilities.drop", name,
                    static (s, n) => PodContainers.Find(s, n)?.SecurityContext?.Capabilities?.Drop, static _ => (IList<string>)["ALL"]);
                if (drop is not null)
                {
                    ((container.SecurityContext ??= new V1SecurityContext()).Capabilities ??= new V1Capabilities()).Drop = drop;
                }
            }
        }
    }

    private static bool AddsSysAdmin(V1SecurityContext? context) =>
        context?.Capabilities?.Add?.Any(c => string.Equals(c, "SYS_ADMIN", StringComparison.OrdinalIgnoreCase)
                                             || string.Equals(c, "CAP_SYS_ADMIN", StringComparison.OrdinalIgnoreCase)) == true;
}
