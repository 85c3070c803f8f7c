using System.Text.Json;

namespace StatefulGuard.Core.Cluster.Api;

/// <summary>The apiserver's <c>/version</c>.</summary>
public static class VersionEndpoint
{
    /// <summary>The Kubernetes version and the text the apiserver reports it as (<c>gitVersion</c>).</summary>
    /// <exception cref="MalformedResponseException">An answer without a version that can be read.</exception>
    public static async Task<(ServerVersion Version, string Text)> ReadAsync(KubeApi api, CancellationToken cancellationToken)
    {
        using var document = await api.GetAsync("/version", cancellationToken);
        var root = document.RootElement;
        string? Field(string name) =>
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        var git = Field("gitVersion");
        var version = ServerVersion.Parse(git, Field("major"), Field("minor"))
                      ?? throw new MalformedResponseException($"/version has no version that can be read: {Shorten(root.GetRawText())}");
        return (version, git ?? version.ToString());
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
