namespace StatefulGuard.Core.Cluster.Api;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,

    /// <summary>No change: the stream's resourceVersion moved on (<c>allowWatchBookmarks</c>).</summary>
    Bookmark,
}
