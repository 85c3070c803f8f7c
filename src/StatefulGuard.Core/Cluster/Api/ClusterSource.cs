namespace StatefulGuard.Core.Cluster.Api;

/// <summary>Where the credentials to reach the apiserver come from (<c>StatefulGuard:Cluster:Source</c>).</summary>
public enum ClusterSource
{
    /// <summary>An explicit kubeconfig, else the in-cluster service account in a pod, else KUBECONFIG / ~/.kube/config, else none.</summary>
    Auto,

    /// <summary>The kubeconfig given, KUBECONFIG or ~/.kube/config.</summary>
    Kubeconfig,

    /// <summary>The pod's service account.</summary>
    InCluster,

    /// <summary>No cluster: lookups are unverifiable.</summary>
    None,
}
