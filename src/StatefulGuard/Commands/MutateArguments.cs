namespace StatefulGuard.Commands;

/// <summary>What <c>statefulguard mutate</c> was asked.</summary>
internal sealed record MutateArguments(string[] Paths, bool Diff, string? KubernetesVersion)
{
    public string[] Exceptions { get; init; } = [];

    public DateTimeOffset? Now { get; init; }

    /// <summary>Also print the governing Service and the PodDisruptionBudget a StatefulSet lacks.</summary>
    public bool Companions { get; init; }

    /// <summary>The printed Services publish the addresses of pods that are not ready (peers that must find each other to start).</summary>
    public bool PublishNotReady { get; init; }

    /// <summary>Look in the live cluster too: what it has is not printed again, and its version chooses the preStop form.</summary>
    public bool Cluster { get; init; }

    public string? Namespace { get; init; }
}
