using System.Text;

namespace StatefulGuard.Core.Cluster.Api;

/// <summary>REST paths of the Kubernetes API: <c>/api/v1/...</c> for the core group, <c>/apis/{group}/{version}/...</c> otherwise.</summary>
public static class ApiPaths
{
    /// <summary>A collection: every namespace (<paramref name="namespace"/> null, or a cluster-scoped kind) or one.</summary>
    public static string Collection(string group, string version, string plural, string? @namespace) =>
        Root(group, version) + (@namespace is null ? "" : "/namespaces/" + Uri.EscapeDataString(@namespace)) + "/" + plural;

    public static string Collection(ClusterKind kind, string? @namespace) =>
        Collection(kind.Group, kind.Version, kind.Plural, kind.Namespaced ? @namespace : null);

    /// <summary>One object of a collection.</summary>
    public static string Item(string group, string version, string plural, string? @namespace, string name) =>
        Collection(group, version, plural, @namespace) + "/" + Uri.EscapeDataString(name);

    /// <summary>The path with a query of the parameters that have a value.</summary>
    public static string WithQuery(string path, params (string Name, string? Value)[] parameters)
    {
        var query = new StringBuilder(path);
        var separator = '?';
        foreach (var (name, value) in parameters)
        {
            if (!string.IsNullOrEmpty(value))
            {
                query.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }
        }

        return query.ToString();
    }

    private static string Root(string group, string version) => group.Length == 0 ? "/api/" + version : $"/apis/{group}/{version}";
}
