namespace StatefulGuard.Tests.Support;

/// <summary>Which requests a fault of the fake apiserver takes over.</summary>
public sealed class FaultTarget(string name, Func<FaultTarget.Request, bool> matches)
{
    /// <summary>What a target looks at: the method, the resource's plural (null for /version), whether it is a watch, and whether it names one object.</summary>
    public readonly record struct Request(string Method, string? Plural, bool Watch, bool Item, bool Version);

    public static FaultTarget Version { get; } = new("/version", r => r.Version);

    /// <summary>Every list of every kind (not watches).</summary>
    public static FaultTarget Lists { get; } = new("lists", r => r is { Method: "GET", Watch: false, Item: false, Plural: not null });

    /// <summary>Every watch of every kind.</summary>
    public static FaultTarget Watches { get; } = new("watches", r => r is { Method: "GET", Watch: true });

    /// <summary>Creating, replacing and deleting policy reports of either format.</summary>
    public static FaultTarget ReportWrites { get; } = new("report writes", r => r.Method != "GET" && r.Plural is "reports" or "policyreports");

    /// <summary>Every request about Leases: reading, creating, renewing.</summary>
    public static FaultTarget Lease { get; } = new("the Lease", r => r.Plural == "leases");

    public bool Matches(Request request) => matches(request);

    public override string ToString() => name;
}
