namespace StatefulGuard.Core.Engine;

/// <summary>Names on cluster objects that StatefulGuard reads or writes. Part of the public interface.</summary>
public static class WellKnown
{
    public const string ModeLabel = "statefulguard.io/mode";
    public const string SkipAnnotation = "statefulguard.io/skip";
    public const string InjectedAnnotation = "statefulguard.io/injected";
}
