using k8s.Models;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Engine;

public enum GuardMode
{
    /// <summary>Deny what the rules deny, inject defaults.</summary>
    Enforce,

    /// <summary>Never deny, never patch: report everything as warnings.</summary>
    Audit,

    /// <summary>Allow everything untouched.</summary>
    Off,
}

/// <summary>Names on cluster objects that StatefulGuard reads or writes. Part of the public interface.</summary>
public static class WellKnown
{
    public const string ModeLabel = "statefulguard.io/mode";
    public const string SkipAnnotation = "statefulguard.io/skip";
    public const string InjectedAnnotation = "statefulguard.io/injected";
}

public static class ModeResolution
{
    /// <summary>
    /// The namespace label <c>statefulguard.io/mode</c> overrides the global mode. An unreadable label
    /// keeps the global mode and says so.
    /// </summary>
    public static GuardMode Resolve(GuardMode global, Lookup<CachedNamespace> ns, out string? note)
    {
        note = null;
        if (ns.State != LookupState.Found || !ns.Value!.Labels.TryGetValue(WellKnown.ModeLabel, out var value))
        {
            return global;
        }

        if (TryParse(value, out var mode))
        {
            return mode;
        }

        note = $"namespace label {WellKnown.ModeLabel}=\"{value}\" is not enforce, audit or off; using {global.ToString().ToLowerInvariant()}";
        return global;
    }

    public static bool TryParse(string? value, out GuardMode mode)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "enforce": mode = GuardMode.Enforce; return true;
            case "audit": mode = GuardMode.Audit; return true;
            case "off": mode = GuardMode.Off; return true;
            default: mode = default; return false;
        }
    }
}
