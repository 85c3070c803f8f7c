using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Commands.Formats;

/// <summary>
/// <c>audit --format sarif</c>: SARIF 2.1.0 as GitHub code scanning accepts it — one run, the rule catalogue
/// with descriptions and help, results with file and line, and fingerprints that survive edits elsewhere in
/// the file.
/// </summary>
internal static class SarifReport
{
    public const string Schema = "https://json.schemastore.org/sarif-2.1.0.json";

    public static void Write(Stream output, AuditReport report, RuleCatalog catalog)
    {
        var rules = catalog.Rules.Where(r => r is IValidatingRule).Select(r => r.Descriptor).Append(ManifestAudit.ApiVersionCheck).ToList();
        var index = rules.Select((r, i) => (r.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);

        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("$schema", Schema);
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();

        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "StatefulGuard");
        json.WriteString("informationUri", RuleDocs.ProjectUrl);
        json.WriteString("semanticVersion", typeof(SarifReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
        json.WriteStartArray("rules");
        foreach (var rule in rules)
        {
            json.WriteStartObject();
            json.WriteString("id", rule.Id);
            json.WriteString("name", string.Concat(rule.Id.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])));
            json.WriteStartObject("shortDescription");
            json.WriteString("text", rule.Description);
            json.WriteEndObject();
            json.WriteStartObject("fullDescription");
            json.WriteString("text", rule.Help.Length > 0 ? rule.Help : rule.Description);
            json.WriteEndObject();
            json.WriteString("helpUri", RuleDocs.Url(rule.Id));
            json.WriteStartObject("help");
            json.WriteString("text", rule.Help);
            json.WriteString("markdown", $"**{rule.Id}** — {rule.Description}\n\n{rule.Help}\n\nConfigure with `StatefulGuard:Rules:{rule.Id}:Action` (Deny, Warn, Off).");
            json.WriteEndObject();
            json.WriteStartObject("defaultConfiguration");
            json.WriteString("level", Level(rule.DefaultAction));
            json.WriteEndObject();
            json.WriteStartObject("properties");
            json.WriteStartArray("tags");
            json.WriteStringValue("kubernetes");
            json.WriteStringValue("statefulset");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray("results");
        foreach (var obj in report.Objects)
        {
            foreach (var verdict in obj.Evaluation.Verdicts)
            {
                var f = verdict.Finding;
                json.WriteStartObject();
                json.WriteString("ruleId", f.RuleId);
                if (index.TryGetValue(f.RuleId, out var i))
                {
                    json.WriteNumber("ruleIndex", i);
                }

                // A waived result keeps its rule's level: SARIF marks it suppressed instead.
                json.WriteString("level", Level(verdict.Waiver is not null && index.TryGetValue(f.RuleId, out var r) ? rules[r].DefaultAction : verdict.EnforceAction));
                json.WriteStartObject("message");
                json.WriteString("text", $"StatefulSet {obj.Namespace}/{obj.Name}: {f.Message}. Fix: {f.Fix}.");
                json.WriteEndObject();
                json.WriteStartArray("locations");
                json.WriteStartObject();
                if (IsFile(obj.Document.Source))
                {
                    WritePhysicalLocation(json, obj.Document.Source, obj.Document.LineOf(f.Path));
                }

                json.WriteStartArray("logicalLocations");
                json.WriteStartObject();
                json.WriteString("fullyQualifiedName", $"StatefulSet/{obj.Namespace}/{obj.Name}" + (f.Path is null ? "" : $"/{f.Path}"));
                json.WriteString("kind", "resource");
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndArray();
                if (Fix(obj, f) is { } fix)
                {
                    WriteFix(json, obj, f, fix);
                }

                json.WriteStartObject("partialFingerprints");
                json.WriteString("statefulguardFinding/v1", Fingerprint(f.RuleId, f.Code, obj.Namespace, obj.Name, f.Path));
                json.WriteEndObject();
                if (verdict.Waiver is { } waiver)
                {
                    json.WriteStartArray("suppressions");
                    json.WriteStartObject();
                    json.WriteString("kind", "external");
                    json.WriteString("status", "accepted");
                    json.WriteString("justification", waiver.Reason);
                    json.WriteStartObject("properties");
                    json.WriteString("exception", waiver.Exception);
                    if (waiver.Ticket is { Length: > 0 } ticket)
                    {
                        json.WriteString("ticket", ticket);
                    }

                    if (waiver.Expires is { } expires)
                    {
                        json.WriteString("expires", expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                    }

                    json.WriteEndObject();
                    json.WriteEndObject();
                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }
        }

        json.WriteEndArray();

        json.WriteStartArray("invocations");
        json.WriteStartObject();
        json.WriteBoolean("executionSuccessful", !report.Unreadable);
        json.WriteStartArray("toolExecutionNotifications");
        foreach (var problem in report.Errors)
        {
            json.WriteStartObject();
            json.WriteString("level", problem.IsWarning ? "warning" : "error");
            json.WriteStartObject("message");
            json.WriteString("text", problem.Message);
            json.WriteEndObject();
            if (IsFile(problem.Source))
            {
                json.WriteStartArray("locations");
                json.WriteStartObject();
                WritePhysicalLocation(json, problem.Source, problem.Line);
                json.WriteEndObject();
                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// The object a finding suggests, as YAML to insert after the StatefulSet's document: only for a document of its own
    /// in a YAML file (not a List's item, not JSON, not stdin), where one can follow it.
    /// </summary>
    private static string? Fix(ObjectReport obj, Finding finding)
    {
        var doc = obj.Document;
        if (finding.Suggested is not { } suggested || doc.End.Line <= 0 || !IsFile(doc.Source)
            || !Path.GetExtension(doc.Source).ToLowerInvariant().StartsWith(".y", StringComparison.Ordinal))
        {
            return null;
        }

        // Where the document ends at the end of a line: a new document starts on the next; mid-line (no final newline), after one.
        return (doc.End.Column > 1 ? "\n" : "") + "---\n" + YamlWriter.Write(suggested);
    }

    private static void WriteFix(Utf8JsonWriter json, ObjectReport obj, Finding finding, string text)
    {
        var kind = (string?)finding.Suggested!["kind"];
        var name = (string?)finding.Suggested["metadata"]?["name"];
        json.WriteStartArray("fixes");
        json.WriteStartObject();
        json.WriteStartObject("description");
        json.WriteString("text", $"Add {kind} \"{name}\" after StatefulSet {obj.Namespace}/{obj.Name}");
        json.WriteEndObject();
        json.WriteStartArray("artifactChanges");
        json.WriteStartObject();
        WriteArtifactLocation(json, obj.Document.Source);
        json.WriteStartArray("replacements");
        json.WriteStartObject();
        json.WriteStartObject("deletedRegion");
        var (line, column) = obj.Document.End;
        json.WriteNumber("startLine", line);
        json.WriteNumber("startColumn", column);
        json.WriteNumber("endLine", line);
        json.WriteNumber("endColumn", column);
        json.WriteEndObject();
        json.WriteStartObject("insertedContent");
        json.WriteString("text", text);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
    }

    /// <summary>A file and line, relative to the checkout (<c>%SRCROOT%</c>) as code-scanning UIs resolve it.</summary>
    private static void WritePhysicalLocation(Utf8JsonWriter json, string source, int line)
    {
        json.WriteStartObject("physicalLocation");
        WriteArtifactLocation(json, source);
        json.WriteStartObject("region");
        json.WriteNumber("startLine", Math.Max(1, line));
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteArtifactLocation(Utf8JsonWriter json, string source)
    {
        json.WriteStartObject("artifactLocation");
        json.WriteString("uri", Uri(source));
        json.WriteString("uriBaseId", "%SRCROOT%");
        json.WriteEndObject();
    }

    private static string Level(RuleAction action) => action switch
    {
        RuleAction.Deny => "error",
        RuleAction.Warn => "warning",
        _ => "note",
    };

    private static bool IsFile(string source) => source != ManifestReader.StdinName && !source.StartsWith("cluster:", StringComparison.Ordinal);

    /// <summary>Relative to the working directory (the repository root in CI), with forward slashes.</summary>
    private static string Uri(string source)
    {
        var full = Path.GetFullPath(source);
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), full);
        var path = relative.StartsWith("..", StringComparison.Ordinal) ? full : relative;
        return string.Join('/', path.Split(Path.DirectorySeparatorChar).Select(System.Uri.EscapeDataString));
    }

    private static string Fingerprint(params string?[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))))[..32];
}
