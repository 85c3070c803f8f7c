using k8s;
using k8s.Models;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Commands;

/// <summary>
/// A one-shot, consistent-enough copy of what the rules look up, listed in pages from the live cluster for
/// <c>audit --cluster</c> — the CLI runs once, so it lists instead of watching.
/// </summary>
internal static class ClusterSnapshot
{
    private const int PageSize = 500;

    public static async Task<(StaticClusterView View, IReadOnlyList<V1StatefulSet> StatefulSets)> LoadAsync(
        IKubernetes client, string? ns, TextWriter progress, CancellationToken cancellationToken)
    {
        var info = await client.Version.GetCodeAsync(cancellationToken);
        var view = new StaticClusterView
        {
            ServerVersion = ServerVersion.Parse(info.GitVersion, info.Major, info.Minor),
            Scope = ViewScope.Cluster,
        };

        foreach (var item in await ListAsync<V1Namespace,V1NamespaceList>(c => client.CoreV1.ListNamespaceAsync(continueParameter: c, limit: PageSize, cancellationToken: cancellationToken)))
        {
            view.Add(item);
        }

        foreach (var item in await ListAsync<V1StorageClass,V1StorageClassList>(c => client.StorageV1.ListStorageClassAsync(continueParameter: c, limit: PageSize, cancellationToken: cancellationToken)))
        {
            view.Add(item);
        }

        var services = ns is null
            ? await ListAsync<V1Service,V1ServiceList>(c => client.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: cancellationToken))
            : await ListAsync<V1Service,V1ServiceList>(c => client.CoreV1.ListNamespacedServiceAsync(ns, continueParameter: c, limit: PageSize, cancellationToken: cancellationToken));
        foreach (var item in services)
        {
            view.Add(item, "default");
        }

        var budgets = ns is null
            ? await ListAsync<V1PodDisruptionBudget,V1PodDisruptionBudgetList>(c => client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: cancellationToken))
            : await ListAsync<V1PodDisruptionBudget,V1PodDisruptionBudgetList>(c => client.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(ns, continueParameter: c, limit: PageSize, cancellationToken: cancellationToken));
        foreach (var item in budgets)
        {
            view.Add(item, "default");
        }

        foreach (var item in await ExceptionsAsync(client, ns, cancellationToken))
        {
            view.Add(item, "default");
        }

        var statefulSets = ns is null
            ? await ListAsync<V1StatefulSet,V1StatefulSetList>(c => client.AppsV1.ListStatefulSetForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: cancellationToken))
            : await ListAsync<V1StatefulSet,V1StatefulSetList>(c => client.AppsV1.ListNamespacedStatefulSetAsync(ns, continueParameter: c, limit: PageSize, cancellationToken: cancellationToken));
        await progress.WriteLineAsync(
            $"statefulguard: Kubernetes {view.ServerVersion}: {statefulSets.Count} StatefulSets, {services.Count} Services, {budgets.Count} PodDisruptionBudgets" +
            (ns is null ? " in all namespaces" : $" in namespace {ns}"));
        return (view, statefulSets);
    }

    /// <summary>The cluster's StatefulGuardExceptions; none when their CRD is not installed (404).</summary>
    public static async Task<List<Core.Exceptions.StatefulGuardException>> ExceptionsAsync(IKubernetes client, string? ns, CancellationToken cancellationToken)
    {
        const string G = Core.Exceptions.StatefulGuardException.Group, V = Core.Exceptions.StatefulGuardException.Version, P = Core.Exceptions.StatefulGuardException.Plural;
        try
        {
            return ns is null
                ? await ListAsync<Core.Exceptions.StatefulGuardException, Core.Exceptions.StatefulGuardExceptionList>(c =>
                    client.CustomObjects.ListClusterCustomObjectAsync<Core.Exceptions.StatefulGuardExceptionList>(G, V, P, continueParameter: c, limit: PageSize, cancellationToken: cancellationToken))
                : await ListAsync<Core.Exceptions.StatefulGuardException, Core.Exceptions.StatefulGuardExceptionList>(c =>
                    client.CustomObjects.ListNamespacedCustomObjectAsync<Core.Exceptions.StatefulGuardExceptionList>(G, V, ns, P, continueParameter: c, limit: PageSize, cancellationToken: cancellationToken));
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }
    }

    private static async Task<List<T>> ListAsync<T, TList>(Func<string?, Task<TList>> page)
        where TList : IItems<T>, IMetadata<V1ListMeta>
    {
        var all = new List<T>();
        string? continueToken = null;
        do
        {
            var result = await page(continueToken);
            all.AddRange(result.Items);
            continueToken = result.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(continueToken));

        return all;
    }
}
