using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Engine;

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
