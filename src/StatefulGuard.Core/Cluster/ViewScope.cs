namespace StatefulGuard.Core.Cluster;

public enum ViewScope
{
    /// <summary>A cluster's objects (watch caches, or a snapshot for <c>audit --cluster</c>).</summary>
    Cluster,

    /// <summary>Only the manifests being audited.</summary>
    Input,
}
