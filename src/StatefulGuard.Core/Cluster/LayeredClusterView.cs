namespace StatefulGuard.Core.Cluster;

/// <summary>Objects in the input first, then the live cluster: a Service being added in the same change counts.</summary>
public sealed class LayeredClusterView(IClusterView first, IClusterView second) : IClusterView
{
    public Lookup<TCached> Get<TCached>(ClusterKind<TCached> kind, string @namespace, string name)
        where TCached : class =>
        first.Get(kind, @namespace, name) is { State: LookupState.Found } found ? found : second.Get(kind, @namespace, name);

    /// <summary>Both lists; unknown if either is, except that an optional kind the cluster does not serve adds nothing.</summary>
    public Lookup<IReadOnlyList<TCached>> List<TCached>(ClusterKind<TCached> kind, string @namespace)
        where TCached : class
    {
        var (a, b) = (first.List(kind, @namespace), second.List(kind, @namespace));
        if (kind.Optional)
        {
            (a, b) = (a.State == LookupState.Unknown ? Lookup<IReadOnlyList<TCached>>.Found([]) : a, b.State == LookupState.Unknown ? Lookup<IReadOnlyList<TCached>>.Found([]) : b);
        }

        return a.State == LookupState.Unknown || b.State == LookupState.Unknown
            ? Lookup<IReadOnlyList<TCached>>.Unknown
            : Lookup<IReadOnlyList<TCached>>.Found([.. a.Value ?? [], .. b.Value ?? []]);
    }

    public Lookup<CachedStorageClass> GetDefaultStorageClass() =>
        first.GetDefaultStorageClass() is { State: LookupState.Found } found ? found : second.GetDefaultStorageClass();

    public ServerVersion? ServerVersion => second.ServerVersion ?? first.ServerVersion;

    public ViewScope Scope => second.Scope;
}
