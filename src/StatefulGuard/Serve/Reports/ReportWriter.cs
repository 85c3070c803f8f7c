using System.Text.Json.Nodes;
using StatefulGuard.Core.Cluster.Api;
using StatefulGuard.Core.Reports;
using StatefulGuard.Serve.Cluster;

namespace StatefulGuard.Serve.Reports;

/// <summary>
/// The policy report API of one format: list StatefulGuard's reports, create, read, replace and delete one. A report
/// the apiserver answers with that is not one (a proxy, a conversion webhook, a half-upgraded apiserver) is counted as
/// malformed and read as unknown, never thrown at the caller as something else.
/// </summary>
internal sealed class ReportWriter(KubeApi api, ReportFormat format, MalformedObjectLog malformed)
{
    public ReportFormat Format => format;

    /// <summary>Every report StatefulGuard manages that can be read, in every namespace.</summary>
    /// <exception cref="ApiException">404 when the format's CRD is not installed.</exception>
    public async Task<List<StoredReport>> ListAsync(CancellationToken cancellationToken)
    {
        var all = new List<StoredReport>();
        string? continueToken = null;
        do
        {
            var path = ApiPaths.WithQuery(ApiPaths.Collection(format.Group, format.Version, format.Plural, null),
                ("labelSelector", $"{PolicyReports.ManagedByLabel}={PolicyReports.ManagedBy}"), ("limit", "500"), ("continue", continueToken));
            using var page = await api.GetAsync(path, cancellationToken);
            var list = JsonNode.Parse(page.RootElement.GetRawText()) as JsonObject
                       ?? throw new MalformedResponseException($"the {format.Kind} list is not an object");
            if (list["items"] is not (JsonArray or null))
            {
                throw new MalformedResponseException($"the {format.Kind} list's items are not an array");
            }

            foreach (var item in JsonFields.Array(list, "items") ?? [])
            {
                if (item is JsonObject report)
                {
                    // List items may come without their type (as built-in kinds' do): it is the list's.
                    report["apiVersion"] ??= format.ApiVersion;
                    report["kind"] ??= format.Kind;
                }

                if (Read(item, "list") is { } stored)
                {
                    all.Add(stored);
                }
            }

            continueToken = JsonFields.Text(JsonFields.Object(list, "metadata"), "continue");
        }
        while (!string.IsNullOrEmpty(continueToken));

        return all;
    }

    /// <summary>Creates the report; what the apiserver stored, or null when its answer cannot be read.</summary>
    public Task<StoredReport?> CreateAsync(JsonObject report, CancellationToken cancellationToken) =>
        WriteAsync(HttpMethod.Post, ApiPaths.Collection(format.Group, format.Version, format.Plural, Namespace(report)), report, cancellationToken);

    /// <summary>Replaces the report; its <c>metadata.resourceVersion</c> makes a concurrent change a 409.</summary>
    public Task<StoredReport?> ReplaceAsync(JsonObject report, CancellationToken cancellationToken) =>
        WriteAsync(HttpMethod.Put, ApiPaths.Item(format.Group, format.Version, format.Plural, Namespace(report), Name(report)), report, cancellationToken);

    /// <summary>
    /// The report as stored; null when there is none. One that is stored but cannot be read comes back as
    /// <see cref="StoredReport.Unreadable"/>, so that the next write replaces it.
    /// </summary>
    public async Task<StoredReport?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await api.GetAsync(ApiPaths.Item(format.Group, format.Version, format.Plural, @namespace, name), cancellationToken);
            var node = JsonNode.Parse(document.RootElement.GetRawText());
            return Read(node, "read")
                   ?? StoredReport.Unreadable(@namespace, name, JsonFields.Text(JsonFields.Object(node, "metadata"), "resourceVersion"));
        }
        catch (ApiException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            using var answer = await api.SendAsync(HttpMethod.Delete, ApiPaths.Item(format.Group, format.Version, format.Plural, @namespace, name), null, cancellationToken);
        }
        catch (ApiException ex) when (ex.IsNotFound)
        {
            // Gone already (the garbage collector, with its StatefulSet).
        }
    }

    private async Task<StoredReport?> WriteAsync(HttpMethod method, string path, JsonObject report, CancellationToken cancellationToken)
    {
        using var answer = await api.SendAsync(method, path, report, cancellationToken);
        return Read(JsonNode.Parse(answer.RootElement.GetRawText()), "write");
    }

    private StoredReport? Read(JsonNode? node, string source)
    {
        if (StoredReport.TryOf(node, out var problem) is { } stored)
        {
            return stored;
        }

        var metadata = JsonFields.Object(node, "metadata");
        var name = JsonFields.Text(metadata, "name") is { } n ? (JsonFields.Text(metadata, "namespace") is { } ns ? ns + "/" + n : n) : "";
        malformed.Report(new MalformedObject(format.Kind, source, name, problem));
        return null;
    }

    public static string Namespace(JsonObject report) => JsonFields.Text(JsonFields.Object(report, "metadata"), "namespace") ?? "";

    public static string Name(JsonObject report) => JsonFields.Text(JsonFields.Object(report, "metadata"), "name") ?? "";
}
