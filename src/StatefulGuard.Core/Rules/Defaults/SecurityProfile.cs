namespace StatefulGuard.Core.Rules.Defaults;

public enum SecurityProfile
{
    /// <summary>
    /// Safe for every image: no privilege escalation and the runtime's seccomp profile; non-root and
    /// drop ALL only where the pod or container already declares a non-root user.
    /// </summary>
    Baseline,

    /// <summary>Also runAsNonRoot and drop ALL everywhere: for teams whose images are known to run as non-root.</summary>
    Restricted,
}
