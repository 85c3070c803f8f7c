using k8s;
using k8s.Models;

namespace StatefulGuard.Core.Cluster;

/// <summary>Recovers the object, list and cached types of a <see cref="ClusterKind"/> (to build a typed cache or list call for it).</summary>
public interface IClusterKindVisitor<out TResult>
{
    TResult Visit<T, TList, TCached>(ClusterKind<T, TList, TCached> kind)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
        where TCached : class;
}
