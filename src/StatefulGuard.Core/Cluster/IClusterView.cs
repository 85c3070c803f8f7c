using k8s.Models;

namespace StatefulGuard.Core.Cluster;

/// <summary>
/// A read-only view of the cluster objects rules need. In the webhook it is backed by watch caches
/// (never a GET per admission); offline it is backed by the manifests being audited.
/// </summary>
public interface IClusterView
{
    Lookup<V1Service> GetService(string @namespace, string name);

    Lookup<V1Namespace> GetNamespace(string name);

    /// <summary>The apiserver's version; unknown offline unless configured.</summary>
    ServerVersion? ServerVersion { get; }
}

public enum LookupState
{
    Found,
    NotFound,

    /// <summary>The view cannot tell: no cluster access, or its cache for this kind has not synced yet.</summary>
    Unknown,
}

public readonly record struct Lookup<T>(LookupState State, T? Value)
    where T : class
{
    public static Lookup<T> Found(T value) => new(LookupState.Found, value);

    public static readonly Lookup<T> NotFound = new(LookupState.NotFound, null);

    public static readonly Lookup<T> Unknown = new(LookupState.Unknown, null);

    public static Lookup<T> Of(T? value) => value is null ? NotFound : Found(value);
}
