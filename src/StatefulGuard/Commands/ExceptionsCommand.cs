using System.Text.Json;
using StatefulGuard.Core.Exceptions;
using StatefulGuard.Core.Manifests;

namespace StatefulGuard.Commands;

/// <summary>
/// <c>statefulguard exceptions [PATH…] [--cluster]</c>: the StatefulGuardExceptions in the input or the cluster with
/// their state — active, expiring soon, expired, matching nothing, or invalid (what admission would refuse) — so a
/// platform team can review what is waived, by whom it was justified, and what lapses next.
/// </summary>
internal static class ExceptionsCommand
{
    private sealed record Row(StatefulGuardException Exception, string State, IReadOnlyList<string> Problems, string Source);

    public static async Task<int> RunAsync(string[] paths, bool fromCluster, string? ns, string format, DateTimeOffset? now,
        TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        if (paths.Length == 0 && !fromCluster)
        {
            await stderr.WriteLineAsync("statefulguard exceptions: no input; give files, directories or - for stdin, or --cluster");
            return CommandLine.Usage;
        }

        if (!CommandLine.TryConfiguration("exceptions", stderr, out var options, out _))
        {
            return CommandLine.Usage;
        }

        var clock = ExceptionInputs.Clock(now);
        var exceptions = new List<(StatefulGuardException Exception, string Source)>();
        var objects = new List<(string Namespace, WaivedKind Kind, string Name)>();
        var manifests = ManifestReader.ReadPaths(paths, stdin);
        var errors = new List<ManifestError>(manifests.Errors);
        foreach (var doc in manifests.Documents)
        {
            var docNs = doc.Namespace is { Length: > 0 } n ? n : ManifestAudit.DefaultNamespace;
            switch (doc.Kind)
            {
                case StatefulGuardException.KindName when ManifestAudit.TryConvert<StatefulGuardException>(doc, errors) is { } exception:
                    exception.Metadata.NamespaceProperty = docNs;
                    exceptions.Add((exception, doc.Location));
                    break;
                case "StatefulSet" when doc.Name is { } name:
                    objects.Add((docNs, WaivedKind.StatefulSet, name));
                    break;
                case "Service" when doc.Name is { } name:
                    objects.Add((docNs, WaivedKind.Service, name));
                    break;
            }
        }

        if (fromCluster)
        {
            try
            {
                using var connection = options.Cluster.Connect();
                if (connection.Api is not { } api)
                {
                    await stderr.WriteLineAsync("statefulguard exceptions: --cluster needs a kubeconfig (KUBECONFIG, ~/.kube/config) or a pod's service account");
                    return CommandLine.Usage;
                }

                var (view, statefulSets) = await ClusterSnapshot.LoadAsync(api, ns, stderr, CancellationToken.None);
                exceptions.AddRange((await ClusterSnapshot.ExceptionsAsync(api, ns, stderr, CancellationToken.None)).Select(e => (e, "cluster")));
                objects.AddRange(statefulSets.Select(s => (s.Metadata?.NamespaceProperty ?? "", WaivedKind.StatefulSet, s.Metadata?.Name ?? "")));
                objects.AddRange(view.Services.Select(s => (s.Namespace, WaivedKind.Service, s.Name)));
            }
            catch (Exception ex) when (ex is HttpRequestException or Core.Cluster.Api.ApiException or Core.Cluster.Api.MalformedResponseException or TimeoutException
                                       or k8s.Exceptions.KubeConfigException or IOException)
            {
                await stderr.WriteLineAsync($"statefulguard exceptions: cannot read the cluster: {ex.Message}");
                return CommandLine.Usage;
            }
        }

        var validator = new ExceptionValidator(Core.Engine.RuleCatalog.Default.Rules.Select(r => r.Descriptor.Id).ToHashSet(StringComparer.Ordinal),
            options.Exceptions.Policy, clock);
        var rows = exceptions
            .OrderBy(e => e.Exception.Namespace, StringComparer.Ordinal).ThenBy(e => e.Exception.Name, StringComparer.Ordinal)
            .Select(e => Describe(e.Exception, e.Source, validator, objects, clock.GetUtcNow()))
            .ToList();

        if (format == "json")
        {
            await stdout.WriteLineAsync(Json(rows));
        }
        else
        {
            await WriteTextAsync(stdout, rows);
        }

        foreach (var error in errors)
        {
            await stderr.WriteLineAsync($"statefulguard exceptions: {error}");
        }

        return errors.Any(e => !e.IsWarning) ? CommandLine.Usage : CommandLine.Ok;
    }

    private static Row Describe(StatefulGuardException exception, string source, ExceptionValidator validator,
        List<(string Namespace, WaivedKind Kind, string Name)> objects, DateTimeOffset now)
    {
        var problems = validator.Problems(exception);
        var state = Waivers.State(exception, now);
        var matches = objects.Any(o => o.Namespace == exception.Namespace && Waivers.Matches(exception, o.Kind, o.Name));
        var text = state switch
        {
            ExceptionState.Expired => "expired",
            _ when problems.Count > 0 => "invalid",
            _ when !matches => "matching nothing",
            ExceptionState.ExpiringSoon => "expiring soon",
            _ => "active",
        };
        return new Row(exception, text, problems, source);
    }

    private static async Task WriteTextAsync(TextWriter stdout, List<Row> rows)
    {
        string[] header = ["NAMESPACE", "NAME", "RULES", "TARGETS", "EXPIRES", "STATE", "REASON"];
        var cells = rows.Select(r => new[]
        {
            r.Exception.Namespace, r.Exception.Name, string.Join(",", r.Exception.Spec?.Rules ?? []),
            string.Join(",", (r.Exception.Spec?.StatefulSets ?? []).Concat((r.Exception.Spec?.Services ?? []).Select(s => "svc/" + s))),
            r.Exception.Spec?.Expires is { } e ? e.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : "never",
            r.State, (r.Exception.Spec?.Reason ?? "") + (r.Exception.Spec?.Ticket is { Length: > 0 } t ? $" ({t})" : ""),
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Select(c => c[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        await stdout.WriteLineAsync(string.Join("  ", header.Select((h, i) => i == header.Length - 1 ? h : h.PadRight(widths[i]))));
        foreach (var (row, cell) in rows.Zip(cells))
        {
            await stdout.WriteLineAsync(string.Join("  ", cell.Select((c, i) => i == cell.Length - 1 ? c : c.PadRight(widths[i]))));
            foreach (var problem in row.Problems)
            {
                await stdout.WriteLineAsync($"  invalid: {problem}");
            }
        }

        if (rows.Count == 0)
        {
            await stdout.WriteLineAsync("no StatefulGuardExceptions");
        }
    }

    private static string Json(List<Row> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                var spec = row.Exception.Spec;
                json.WriteStartObject();
                json.WriteString("namespace", row.Exception.Namespace);
                json.WriteString("name", row.Exception.Name);
                json.WriteString("source", row.Source);
                json.WriteString("state", row.State);
                Strings(json, "rules", spec?.Rules);
                Strings(json, "statefulSets", spec?.StatefulSets);
                Strings(json, "services", spec?.Services);
                json.WriteString("reason", spec?.Reason);
                json.WriteString("ticket", spec?.Ticket);
                if (spec?.Expires is { } expires)
                {
                    json.WriteString("expires", expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                }

                Strings(json, "problems", row.Problems.ToList());
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Strings(Utf8JsonWriter json, string name, IList<string>? values)
    {
        json.WriteStartArray(name);
        foreach (var value in values ?? [])
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
