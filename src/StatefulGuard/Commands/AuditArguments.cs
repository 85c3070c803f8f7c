namespace StatefulGuard.Commands;

/// <summary>What <c>statefulguard audit</c> was asked.</summary>
internal sealed record AuditArguments(string[] Paths, string Format, string Mode, bool Cluster, string? Namespace, bool Color, bool NoColor)
{
    public string[] Exceptions { get; init; } = [];

    public bool WarningsAsFailures { get; init; }

    public DateTimeOffset? Now { get; init; }
}
