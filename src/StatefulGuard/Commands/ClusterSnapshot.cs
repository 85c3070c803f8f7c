using k8s;
using k8s.Models;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Cluster.Api;

namespace StatefulGuard.Commands;

/// <summary>
/// A one-shot, consistent-enough copy of every declared kind (<see cref="ClusterKinds"/>), listed in pages from the
/// live cluster for <c>audit --cluster</c> — the CLI runs once, so it lists instead of watching. Objects that cannot be
/// read are skipped and said on the progress stream.
/// </summary>
internal static class ClusterSnapshot
{
    public static async Task<(StaticClusterView View, IReadOnlyList<V1StatefulSet> StatefulSets)> LoadAsync(
        KubeApi api, string? ns, TextWriter progress, CancellationToken cancellationToken)
    {
        var (version, _) = await VersionEndpoint.ReadAsync(api, cancellationToken);
        var view = new StaticClusterView { ServerVersion = version, Scope = ViewScope.Cluster };

        var counts = new Dictionary<ClusterKind, int>();
        var statefulSets = new List<V1StatefulSet>();
        foreach (var kind in ClusterKinds.All)
        {
            counts[kind] = await kind.Accept(new Loader(api, ns, view, progress, cancellationToken) { StatefulSets = statefulSets });
        }

        await progress.WriteLineAsync(
            $"statefulguard: Kubernetes {view.ServerVersion}: {counts[ClusterKinds.StatefulSet]} StatefulSets, {counts[ClusterKinds.Service]} Services, " +
            $"{counts[ClusterKinds.PodDisruptionBudget]} PodDisruptionBudgets" + (ns is null ? " in all namespaces" : $" in namespace {ns}"));
        return (view, statefulSets);
    }

    /// <summary>The cluster's StatefulGuardExceptions; none when their CRD is not installed (404).</summary>
    public static async Task<List<Core.Exceptions.StatefulGuardException>> ExceptionsAsync(KubeApi api, string? ns, TextWriter progress, CancellationToken cancellationToken)
    {
        var view = new StaticClusterView();
        await new Loader(api, ns, view, progress, cancellationToken).Visit(ClusterKinds.Exception);
        return [.. view.All(ClusterKinds.Exception)];
    }

    /// <summary>
    /// Lists one kind into the view (every namespace, or <c>ns</c> for namespaced kinds); an optional kind not served
    /// lists nothing. The StatefulSets, which the audit judges whole, are also added to <see cref="StatefulSets"/>.
    /// </summary>
    private sealed class Loader(KubeApi api, string? ns, StaticClusterView view, TextWriter progress, CancellationToken cancellationToken)
        : IClusterKindVisitor<Task<int>>
    {
        public List<V1StatefulSet>? StatefulSets { get; init; }

        public async Task<int> Visit<T, TList, TCached>(ClusterKind<T, TList, TCached> kind)
            where T : class, IKubernetesObject<V1ObjectMeta>
            where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
            where TCached : class
        {
            List<T> items;
            try
            {
                items = await KindClient.ListAllAsync<T>(api, kind, ns, Skipped, cancellationToken);
            }
            catch (ApiException ex) when (kind.Optional && ex.IsNotFound)
            {
                return 0;
            }

            foreach (var item in items)
            {
                view.Add(kind, item, "default");
                if (item is V1StatefulSet sts)
                {
                    StatefulSets?.Add(sts);
                }
            }

            return items.Count;
        }

        private void Skipped(MalformedObject malformed) =>
            progress.WriteLine($"statefulguard: skipped a {malformed.Kind} that cannot be read ({malformed.Name}): {malformed.Reason}");
    }
}
