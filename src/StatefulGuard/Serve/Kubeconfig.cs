using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace StatefulGuard.Serve;

/// <summary>
/// Reads kubeconfig files into the client's own model and merges several the way kubectl does (the first file
/// that sets a value, or names a cluster, user or context, wins; files that do not exist are skipped).
/// </summary>
/// <remarks>
/// The client's loader goes through <c>KubernetesYaml</c>, whose first use loads every model type the client has
/// (about 30 MB more resident memory and a quarter of a second at start on the benchmark machine) although a
/// kubeconfig needs none of them. A plain YamlDotNet deserializer over the same model, with the model's own
/// key aliases, reads the same values.
/// </remarks>
internal static class Kubeconfig
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithAttemptingUnquotedStringTypeDeserialization()
        .IgnoreUnmatchedProperties()
        .Build();

    public static K8SConfiguration Load(IReadOnlyList<FileInfo> files)
    {
        K8SConfiguration? merged = null;
        foreach (var file in files)
        {
            if (!file.Exists)
            {
                continue;
            }

            var config = Read(file);
            merged = merged is null ? config : Merge(merged, config);
        }

        return merged ?? throw new KubeConfigException(
            $"kubeconfig not found at {string.Join(Path.PathSeparator, files.Select(f => f.FullName))}");
    }

    public static K8SConfiguration Parse(string yaml) =>
        Deserializer.Deserialize<K8SConfiguration?>(yaml) ?? throw new KubeConfigException("kubeconfig is empty");

    private static K8SConfiguration Read(FileInfo file)
    {
        K8SConfiguration config;
        try
        {
            config = Parse(File.ReadAllText(file.FullName));
        }
        catch (YamlException ex)
        {
            throw new KubeConfigException($"kubeconfig {file.FullName} is not valid YAML: {ex.Message}");
        }

        // Relative certificate and key paths are resolved against the file's directory, as kubectl does.
        config.FileName = file.FullName;
        return config;
    }

    private static K8SConfiguration Merge(K8SConfiguration first, K8SConfiguration next)
    {
        if (!string.Equals(first.Kind, next.Kind, StringComparison.Ordinal))
        {
            throw new KubeConfigException($"kubeconfig \"kind\" differs between {first.FileName} and {next.FileName}");
        }

        first.CurrentContext ??= next.CurrentContext;
        if (next.Preferences is not null)
        {
            first.Preferences ??= new Dictionary<string, object>();
            foreach (var (key, value) in next.Preferences)
            {
                first.Preferences.TryAdd(key, value);
            }
        }

        first.Clusters = ByName(first.Clusters, next.Clusters, c => c.Name);
        first.Users = ByName(first.Users, next.Users, u => u.Name);
        first.Contexts = ByName(first.Contexts, next.Contexts, c => c.Name);
        first.Extensions = ByName(first.Extensions, next.Extensions, e => e.Name);
        return first;
    }

    private static List<T> ByName<T>(IEnumerable<T>? first, IEnumerable<T>? next, Func<T, string> name)
    {
        var result = new List<T>(first ?? []);
        var seen = result.Select(name).ToHashSet(StringComparer.Ordinal);
        foreach (var item in next ?? [])
        {
            if (seen.Add(name(item)))
            {
                result.Add(item);
            }
        }

        return result;
    }
}
