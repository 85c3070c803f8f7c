using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace StatefulGuard.Core.Cluster.Api;

/// <summary>
/// How the process reaches the apiserver, found the way kubectl finds it: the client loads the kubeconfig or the
/// pod's service account; StatefulGuard talks to the API through <see cref="KubeApi"/>. Used by <c>serve</c> and by
/// the commands' <c>--cluster</c> alike.
/// </summary>
public sealed class ClusterConnection : IDisposable
{
    private ClusterConnection(KubeApi? api, string? description)
    {
        Api = api;
        Description = description;
    }

    /// <summary>Null without a cluster.</summary>
    public KubeApi? Api { get; }

    /// <summary>The apiserver and where its credentials came from, for the log.</summary>
    public string? Description { get; }

    public static ClusterConnection Offline { get; } = new(null, null);

    /// <param name="kubeconfig">An explicit kubeconfig file; by default KUBECONFIG (several files separated by ':'), then ~/.kube/config.</param>
    /// <param name="requestTimeout">How long one request may take (a watch: until its headers).</param>
    /// <exception cref="KubeConfigException">A kubeconfig that was asked for is missing or cannot be used.</exception>
    public static ClusterConnection Create(ClusterSource source, string? kubeconfig, TimeSpan requestTimeout)
    {
        switch (source)
        {
            case ClusterSource.None:
                return Offline;
            case ClusterSource.InCluster:
                return Connect(KubernetesClientConfiguration.InClusterConfig(), "in-cluster service account", requestTimeout);
            case ClusterSource.Kubeconfig:
                var files = KubeconfigFiles(kubeconfig) ?? throw new KubeConfigException(
                    "StatefulGuard:Cluster:Source is Kubeconfig but no kubeconfig was found (StatefulGuard:Cluster:Kubeconfig, KUBECONFIG, ~/.kube/config)");
                return FromKubeconfig(files, requestTimeout);
            default:
                if (!string.IsNullOrEmpty(kubeconfig))
                {
                    return FromKubeconfig(KubeconfigFiles(kubeconfig)!, requestTimeout);
                }

                if (KubernetesClientConfiguration.IsInCluster())
                {
                    return Connect(KubernetesClientConfiguration.InClusterConfig(), "in-cluster service account", requestTimeout);
                }

                return KubeconfigFiles(null) is { } found ? FromKubeconfig(found, requestTimeout) : Offline;
        }
    }

    /// <summary>
    /// The kubeconfig files as kubectl merges them: each read by the client, the first file that names a cluster,
    /// user or context (or sets the current context) wins; files that do not exist are skipped.
    /// </summary>
    public static K8SConfiguration Load(IReadOnlyList<FileInfo> files)
    {
        K8SConfiguration? merged = null;
        foreach (var file in files.Where(f => f.Exists))
        {
            var next = Read(file);
            if (merged is null)
            {
                merged = next;
                continue;
            }

            if (!string.Equals(merged.Kind, next.Kind, StringComparison.Ordinal))
            {
                throw new KubeConfigException($"kubeconfig \"kind\" differs between {merged.FileName} and {next.FileName}");
            }

            merged.CurrentContext ??= next.CurrentContext;
            merged.Clusters = ByName(merged.Clusters, next.Clusters, c => c.Name);
            merged.Users = ByName(merged.Users, next.Users, u => u.Name);
            merged.Contexts = ByName(merged.Contexts, next.Contexts, c => c.Name);
        }

        return merged ?? throw new KubeConfigException($"kubeconfig not found at {string.Join(Path.PathSeparator, files.Select(f => f.FullName))}");
    }

    private static K8SConfiguration Read(FileInfo file)
    {
        try
        {
            return KubernetesClientConfiguration.LoadKubeConfig(file) ?? throw new KubeConfigException($"kubeconfig {file.FullName} is empty");
        }
        catch (Exception ex) when (ex is not KubeConfigException)
        {
            throw new KubeConfigException($"kubeconfig {file.FullName} cannot be read: {ex.Message}");
        }
    }

    private static ClusterConnection FromKubeconfig(FileInfo[] files, TimeSpan requestTimeout) =>
        Connect(KubernetesClientConfiguration.BuildConfigFromConfigObject(Load(files)),
            $"kubeconfig {string.Join(Path.PathSeparator, files.Select(f => f.FullName))}", requestTimeout);

    private static ClusterConnection Connect(KubernetesClientConfiguration config, string source, TimeSpan requestTimeout)
    {
        // Every request gets its own timeout from KubeApi: a client-wide one would also end long-running watches.
        config.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        var client = new Kubernetes(config);
        var credentials = client.Credentials;
        var api = new KubeApi(client.HttpClient, client.BaseUri, requestTimeout,
            credentials is null ? null : credentials.ProcessHttpRequestAsync, client);
        return new ClusterConnection(api, $"{config.Host} ({source})");
    }

    private static FileInfo[]? KubeconfigFiles(string? explicitFile)
    {
        if (!string.IsNullOrEmpty(explicitFile))
        {
            return [new FileInfo(explicitFile)];
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            var files = fromEnvironment.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(p => new FileInfo(p)).ToArray();
            return files.Any(f => f.Exists) ? files : null;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var fallback = new FileInfo(Path.Combine(home, ".kube", "config"));
        return fallback.Exists ? [fallback] : null;
    }

    private static List<T> ByName<T>(IEnumerable<T>? first, IEnumerable<T>? next, Func<T, string> name)
    {
        var result = new List<T>(first ?? []);
        var seen = result.Select(name).ToHashSet(StringComparer.Ordinal);
        result.AddRange((next ?? []).Where(item => seen.Add(name(item))));
        return result;
    }

    public void Dispose() => Api?.Dispose();
}
