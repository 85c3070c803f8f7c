using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using StatefulGuard.Core.Reports;

namespace StatefulGuard.Serve.Reports;

/// <summary>The policy report API of one format: list StatefulGuard's reports, create, read, replace and delete one.</summary>
internal sealed class ReportWriter(IKubernetes client, ReportFormat format)
{
    public ReportFormat Format => format;

    /// <summary>Every report StatefulGuard manages, in every namespace.</summary>
    /// <exception cref="HttpOperationException">404 when the format's CRD is not installed.</exception>
    public async Task<List<JsonObject>> ListAsync(CancellationToken cancellationToken)
    {
        var all = new List<JsonObject>();
        string? continueToken = null;
        do
        {
            var page = await client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(format.Group, format.Version, format.Plural,
                labelSelector: $"{PolicyReports.ManagedByLabel}={PolicyReports.ManagedBy}", continueParameter: continueToken, limit: 500,
                cancellationToken: cancellationToken);
            var list = JsonNode.Parse(page.GetRawText())!;
            all.AddRange((list["items"] as JsonArray ?? []).OfType<JsonObject>().Select(o => (JsonObject)o.DeepClone()));
            continueToken = (string?)list["metadata"]?["continue"];
        }
        while (!string.IsNullOrEmpty(continueToken));

        return all;
    }

    public async Task<JsonObject> CreateAsync(JsonObject report, CancellationToken cancellationToken) =>
        Read(await client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonElement>(
            JsonSerializer.SerializeToElement(report), format.Group, format.Version, Namespace(report), format.Plural, cancellationToken: cancellationToken));

    /// <summary>Replaces the report; its <c>metadata.resourceVersion</c> makes a concurrent change a 409.</summary>
    public async Task<JsonObject> ReplaceAsync(JsonObject report, CancellationToken cancellationToken) =>
        Read(await client.CustomObjects.ReplaceNamespacedCustomObjectAsync<JsonElement>(
            JsonSerializer.SerializeToElement(report), format.Group, format.Version, Namespace(report), format.Plural, Name(report), cancellationToken: cancellationToken));

    /// <summary>The report as stored; null when there is none.</summary>
    public async Task<JsonObject?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            return Read(await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(format.Group, format.Version, @namespace, format.Plural, name, cancellationToken));
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            await client.CustomObjects.DeleteNamespacedCustomObjectAsync(format.Group, format.Version, @namespace, format.Plural, name, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            // Gone already (the garbage collector, with its StatefulSet).
        }
    }

    public static string Namespace(JsonObject report) => (string?)report["metadata"]?["namespace"] ?? "";

    public static string Name(JsonObject report) => (string?)report["metadata"]?["name"] ?? "";

    private static JsonObject Read(JsonElement element) => JsonNode.Parse(element.GetRawText()) as JsonObject ?? throw new JsonException("the apiserver answered with no object");
}
