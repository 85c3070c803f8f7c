using k8s;
using k8s.Exceptions;
using StatefulGuard.Configuration;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Serve;

/// <summary>How the process reaches the apiserver, found the way kubectl finds it.</summary>
internal sealed class ClusterConnection : IDisposable
{
    private ClusterConnection(IKubernetes? client, string? description)
    {
        Client = client;
        Description = description;
    }

    public IKubernetes? Client { get; }

    public string? Description { get; }

    public static ClusterConnection Offline { get; } = new(null, null);

    /// <summary>
    /// In a pod: the service account. Otherwise the kubeconfig from the option, KUBECONFIG (several files
    /// separated by ':'), or ~/.kube/config. Otherwise, with <see cref="ClusterSource.Auto"/>, none.
    /// </summary>
    public static ClusterConnection Create(ClusterOptions options)
    {
        switch (options.Source)
        {
            case ClusterSource.None:
                return Offline;
            case ClusterSource.InCluster:
                return InCluster();
            case ClusterSource.Kubeconfig:
                return FromKubeconfig(KubeconfigFiles(options) ?? throw new KubeConfigException(
                    "StatefulGuard:Cluster:Source is Kubeconfig but no kubeconfig was found (StatefulGuard:Cluster:Kubeconfig, KUBECONFIG, ~/.kube/config)"));
            default:
                if (!string.IsNullOrEmpty(options.Kubeconfig))
                {
                    return FromKubeconfig(KubeconfigFiles(options)!);
                }

                if (KubernetesClientConfiguration.IsInCluster())
                {
                    return InCluster();
                }

                return KubeconfigFiles(options) is { } files ? FromKubeconfig(files) : Offline;
        }
    }

    private static ClusterConnection InCluster()
    {
        var config = KubernetesClientConfiguration.InClusterConfig();
        return new ClusterConnection(new Kubernetes(config), $"{config.Host} (in-cluster service account)");
    }

    private static ClusterConnection FromKubeconfig(FileInfo[] files)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(Kubeconfig.Load(files));
        return new ClusterConnection(new Kubernetes(config), $"{config.Host} (kubeconfig {string.Join(Path.PathSeparator, files.Select(f => f.FullName))})");
    }

    private static FileInfo[]? KubeconfigFiles(ClusterOptions options)
    {
        if (!string.IsNullOrEmpty(options.Kubeconfig))
        {
            return [new FileInfo(options.Kubeconfig)];
        }

        var fromEnvironment = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            var files = fromEnvironment.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(p => new FileInfo(p)).ToArray();
            return files.Any(f => f.Exists) ? files : null;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var fallback = new FileInfo(Path.Combine(home, ".kube", "config"));
        return fallback.Exists ? [fallback] : null;
    }

    public void Dispose() => Client?.Dispose();
}
