using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Commands.Formats;

/// <summary>The audit report for people: grouped by object, what is wrong, where, and how to fix it.</summary>
internal sealed class TextReport(TextWriter output, bool color)
{
    private const string Red = "\u001b[31m";
    private const string Yellow = "\u001b[33m";
    private const string Green = "\u001b[32m";
    private const string Dim = "\u001b[2m";
    private const string Reset = "\u001b[0m";

    public void Write(AuditReport report, ReportContext context)
    {
        var mode = context.Mode;
        int denied = 0, warned = 0, clean = 0, skipped = 0;
        foreach (var obj in report.Objects)
        {
            var evaluation = obj.Evaluation;
            var where = obj.Document.Line > 0 ? obj.Document.Location : obj.Document.Source;
            var header = $"{where}  StatefulSet {obj.Namespace}/{obj.Name}";
            if (evaluation.Mode == GuardMode.Off)
            {
                skipped++;
                output.WriteLine($"{header}  {Paint(Dim, "skipped (namespace mode off)")}");
                continue;
            }

            if (evaluation.Verdicts.All(v => v.Qualifier == VerdictQualifier.Waived))
            {
                clean++;
                output.WriteLine($"{header}  {Paint(Green, "ok")}" + (evaluation.Verdicts.Count > 0 ? $" ({evaluation.Verdicts.Count} waived)" : ""));
                WriteWaived(evaluation);
                continue;
            }

            if (evaluation.WouldDenyInEnforce)
            {
                denied++;
            }
            else
            {
                warned++;
            }

            output.WriteLine(header);
            foreach (var verdict in evaluation.Verdicts.Where(v => v.Qualifier != VerdictQualifier.Waived).OrderBy(v => v.EnforceAction))
            {
                var label = verdict.EnforceAction == RuleAction.Deny ? Paint(Red, "DENY") : Paint(Yellow, "WARN");
                var finding = verdict.Finding;
                var field = finding.Path is null ? "" : $"  {finding.Path}";
                var line = obj.Document.Line > 0 ? $"  (line {obj.Document.LineOf(finding.Path)})" : "";
                var note = verdict.Qualifier == VerdictQualifier.Unverifiable ? " (unverifiable)" : "";
                output.WriteLine($"  {label}  {finding.RuleId}{field}{line}{note}");
                output.WriteLine($"        {finding.Message}");
                output.WriteLine($"        {Paint(Dim, "fix:")} {finding.Fix}");
            }

            WriteWaived(evaluation);
            foreach (var note in evaluation.Notes.Where(n => !evaluation.Verdicts.Any(v => v.Waiver?.Warning == n)))
            {
                output.WriteLine($"  note: {note}");
            }
        }

        output.WriteLine();
        var total = report.Objects.Count;
        output.WriteLine(
            $"{total} StatefulSet{(total == 1 ? "" : "s")} checked in {report.DocumentsRead} document{(report.DocumentsRead == 1 ? "" : "s")}: " +
            $"{denied} would be denied, {warned} with warnings, {clean} clean" + (skipped > 0 ? $", {skipped} skipped" : "") +
            (report.Errors.Any(e => !e.IsWarning) ? $"; {report.Errors.Count(e => !e.IsWarning)} unreadable" : "") +
            (report.Errors.Any(e => e.IsWarning) ? $"; {report.Errors.Count(e => e.IsWarning)} input warnings" : "") + "." +
            (mode == GuardMode.Audit && denied > 0 ? " (audit mode: not failing)" : "") +
            (context.WarningsAsFailures && warned > 0 ? " (warnings count as failures)" : ""));
    }

    private void WriteWaived(Evaluation evaluation)
    {
        foreach (var verdict in evaluation.Verdicts.Where(v => v.Waiver is not null))
        {
            var waiver = verdict.Waiver!;
            output.WriteLine($"  {Paint(Dim, "WAIVED")}  {verdict.RuleId}  by exception {waiver.Exception}" +
                             (waiver.Expires is { } e ? $" until {e.UtcDateTime:yyyy-MM-dd}" : "") + (waiver.ExpiringSoon ? " (expiring soon)" : ""));
            output.WriteLine($"        {verdict.Finding.Message}");
            output.WriteLine($"        {Paint(Dim, "reason:")} {waiver.Reason}" + (waiver.Ticket is { Length: > 0 } t ? $" ({t})" : ""));
        }
    }

    private string Paint(string code, string text) => color ? code + text + Reset : text;
}
