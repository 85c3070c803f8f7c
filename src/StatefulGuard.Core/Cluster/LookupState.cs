namespace StatefulGuard.Core.Cluster;

public enum LookupState
{
    Found,
    NotFound,

    /// <summary>The view cannot tell: no cluster access, or its cache for this kind has not synced yet.</summary>
    Unknown,
}
