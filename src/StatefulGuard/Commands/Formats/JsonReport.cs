using System.Text.Json;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Commands.Formats;

/// <summary>
/// <c>audit --format json</c>: a stable, documented schema (see docs/reports.md). Fields are only ever added;
/// <c>schemaVersion</c> changes if one is removed or changes meaning.
/// </summary>
internal static class JsonReport
{
    public const int SchemaVersion = 1;

    public static void Write(Stream output, AuditReport report, GuardMode mode)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("tool", "statefulguard");
        json.WriteNumber("schemaVersion", SchemaVersion);
        json.WriteString("mode", mode.ToString().ToLowerInvariant());

        var tally = AuditTally.Of(report);
        json.WriteStartObject("summary");
        json.WriteNumber("documents", report.DocumentsRead);
        json.WriteNumber("statefulSets", tally.Checked);
        json.WriteNumber("denied", tally.Denied);
        json.WriteNumber("warned", tally.Warned);
        json.WriteNumber("clean", tally.Clean);
        json.WriteNumber("skipped", tally.Skipped);
        json.WriteNumber("inputErrors", tally.InputErrors);
        json.WriteNumber("inputWarnings", tally.InputWarnings);
        json.WriteEndObject();

        json.WriteStartArray("objects");
        foreach (var obj in report.Objects)
        {
            json.WriteStartObject();
            json.WriteString("kind", "StatefulSet");
            json.WriteString("namespace", obj.Namespace);
            json.WriteString("name", obj.Name);
            json.WriteString("file", obj.Document.Source);
            json.WriteNumber("line", obj.Document.Line);
            json.WriteString("result", Result(obj));
            json.WriteStartArray("findings");
            foreach (var verdict in obj.Evaluation.Verdicts)
            {
                var f = verdict.Finding;
                json.WriteStartObject();
                json.WriteString("ruleId", f.RuleId);
                json.WriteString("code", f.Code);
                json.WriteString("action", Action(mode == GuardMode.Audit && verdict.Action == RuleAction.Deny ? RuleAction.Warn : verdict.Action));
                json.WriteString("enforceAction", Action(verdict.EnforceAction));
                if (verdict.Qualifier != VerdictQualifier.None)
                {
                    json.WriteString("qualifier", verdict.Qualifier.ToString().ToLowerInvariant());
                }

                if (verdict.Waiver is { } waiver)
                {
                    json.WriteStartObject("waived");
                    json.WriteString("exception", waiver.Exception);
                    json.WriteString("reason", waiver.Reason);
                    if (waiver.Ticket is { Length: > 0 } ticket)
                    {
                        json.WriteString("ticket", ticket);
                    }

                    if (waiver.Expires is { } expires)
                    {
                        json.WriteString("expires", expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                    }

                    json.WriteBoolean("expiringSoon", waiver.ExpiringSoon);
                    json.WriteEndObject();
                }

                json.WriteString("message", f.Message);
                json.WriteString("fix", f.Fix);
                if (f.Path is not null)
                {
                    json.WriteString("path", f.Path);
                }

                json.WriteString("file", obj.Document.Source);
                json.WriteNumber("line", obj.Document.LineOf(f.Path));
                if (f.Suggested is { } suggested)
                {
                    // The object that fixes the finding, to add beside the StatefulSet (what mutate --companions prints).
                    json.WritePropertyName("suggested");
                    suggested.WriteTo(json);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("notes");
            foreach (var note in obj.Evaluation.Notes)
            {
                json.WriteStringValue(note);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("problems");
        foreach (var problem in report.Errors)
        {
            json.WriteStartObject();
            json.WriteString("file", problem.Source);
            json.WriteNumber("line", problem.Line);
            json.WriteString("severity", problem.IsWarning ? "warning" : "error");
            json.WriteString("message", problem.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Result(ObjectReport obj) => AuditTally.ResultOf(obj) switch
    {
        ObjectResult.Deny => "deny",
        ObjectResult.Warn => "warn",
        ObjectResult.Ok => "ok",
        _ => "skipped",
    };

    private static string Action(RuleAction action) => action.ToString().ToLowerInvariant();
}
