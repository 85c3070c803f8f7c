using StatefulGuard.Core.Cluster.Api;

namespace StatefulGuard.Core.Cluster.Watch;

/// <summary>What readiness, metrics and start-up need of any cache, whatever its kind.</summary>
public interface IWatchCache
{
    string Kind { get; }

    /// <summary>True once the first list has completed; stays true while the apiserver is unreachable.</summary>
    bool Synced { get; }

    int Count { get; }

    /// <summary>When the cache last heard from the apiserver (a list, an event or a bookmark).</summary>
    DateTimeOffset LastContact { get; }

    /// <summary>False while an optional kind is not served by the cluster (its CRD is not installed).</summary>
    bool Installed { get; }

    /// <summary>Raised on the cache's loop after each change a watch brings and after each (re-)list.</summary>
    event Action<CacheChange>? Changed;

    /// <summary>Raised when the list/watch loop restarts: <c>gone</c> (re-list) or <c>error</c> (the apiserver failed).</summary>
    event Action<string>? Restarted;

    /// <summary>Raised for each object the apiserver sent that could not be read (skipped).</summary>
    event Action<MalformedObject>? Malformed;

    /// <summary>Lists and watches until <paramref name="cancellationToken"/> is cancelled; never ends otherwise, never throws.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
