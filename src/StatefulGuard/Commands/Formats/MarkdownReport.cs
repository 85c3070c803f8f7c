using System.Globalization;
using System.Text;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;

namespace StatefulGuard.Commands.Formats;

/// <summary>
/// <c>audit --format markdown</c>: for a CI job summary or a pull-request comment. The counts, the findings per rule,
/// then one section per StatefulSet with findings (denials first). It never grows past <see cref="MaxBytes"/>, the size
/// a pull-request comment takes: what does not fit is counted in a closing line instead of cut mid-table.
/// </summary>
internal static class MarkdownReport
{
    /// <summary>GitHub refuses a comment over 65,536 characters; counted in UTF-8 bytes, the report stays under it everywhere.</summary>
    public const int MaxBytes = 64 * 1024;

    private const int MaxProblems = 20;

    public static void Write(TextWriter output, AuditReport report, ReportContext context, int maxBytes = MaxBytes)
    {
        var tally = AuditTally.Of(report);
        var head = new StringBuilder();
        head.Append("## StatefulGuard audit\n\n");
        head.Append(Verdict(tally, context)).Append("\n\n");
        head.Append("| StatefulSets checked | denied | with warnings | clean | skipped |\n|---:|---:|---:|---:|---:|\n");
        head.Append(CultureInfo.InvariantCulture, $"| {tally.Checked} | {tally.Denied} | {tally.Warned} | {tally.Clean} | {tally.Skipped} |\n\n");
        ByRule(head, report);
        Problems(head, report);

        var sections = report.Objects
            .Select(o => (Object: o, Result: AuditTally.ResultOf(o)))
            .Where(o => o.Result is ObjectResult.Deny or ObjectResult.Warn || o.Object.Evaluation.Verdicts.Count > 0)
            .OrderBy(o => o.Result) // Deny, Warn, then clean objects that only have waived findings
            .ToList();

        var budget = maxBytes - Bytes(head) - 600; // room for the closing line
        var body = new StringBuilder();
        var shown = 0;
        foreach (var (obj, _) in sections)
        {
            var section = Section(obj);
            var size = Encoding.UTF8.GetByteCount(section);
            if (size > budget)
            {
                break;
            }

            body.Append(section);
            budget -= size;
            shown++;
        }

        output.Write(head);
        output.Write(body);
        if (shown < sections.Count)
        {
            var left = sections.Skip(shown).ToList();
            var (denied, warned, waived) = (left.Count(s => s.Result == ObjectResult.Deny), left.Count(s => s.Result == ObjectResult.Warn), left.Count(s => s.Result == ObjectResult.Ok));
            output.Write(string.Create(CultureInfo.InvariantCulture,
                $"_{left.Count} more StatefulSet{(left.Count == 1 ? "" : "s")} with findings not shown ({denied} would be denied, {warned} with warnings, {waived} with waived findings only): this report stops at {maxBytes / 1024} KB. `statefulguard audit --format html` shows them all._\n"));
        }
    }

    private static string Verdict(AuditTally tally, ReportContext context)
    {
        var verdict = tally.Denied > 0
            ? $"**{tally.Denied} of {tally.Checked} StatefulSet{(tally.Checked == 1 ? "" : "s")} would be denied.**"
            : tally.Warned > 0
                ? $"**Nothing would be denied**; {tally.Warned} StatefulSet{(tally.Warned == 1 ? " has" : "s have")} warnings."
                : tally.Checked > 0 ? "**Nothing would be denied**, and there are no warnings." : "**No StatefulSet in the input.**";
        var mode = context.Mode == GuardMode.Audit ? " Audit mode: the run does not fail."
            : context.WarningsAsFailures ? " Warnings count as failures." : "";
        return verdict + mode;
    }

    private static void ByRule(StringBuilder text, AuditReport report)
    {
        var rules = RuleCount.Of(report);
        if (rules.Count == 0)
        {
            return;
        }

        text.Append("| rule | severity | denials | warnings | waived |\n|---|---|---:|---:|---:|\n");
        foreach (var rule in rules)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| [`{rule.Rule}`]({RuleDocs.Url(rule.Rule)}) | {RuleDocs.Severity(rule.Rule)} | {rule.Deny} | {rule.Warn} | {rule.Waived} |\n");
        }

        text.Append('\n');
    }

    private static void Problems(StringBuilder text, AuditReport report)
    {
        if (report.Errors.Count == 0)
        {
            return;
        }

        var errors = report.Errors.Count(e => !e.IsWarning);
        text.Append(CultureInfo.InvariantCulture, $"<details><summary>Input problems: {errors} unreadable, {report.Errors.Count - errors} warnings</summary>\n\n");
        foreach (var problem in report.Errors.OrderBy(e => e.IsWarning).Take(MaxProblems))
        {
            var line = problem.ToString();
            text.Append("- ").Append(Escape(line.Length > 300 ? line[..300] + "…" : line)).Append('\n');
        }

        if (report.Errors.Count > MaxProblems)
        {
            text.Append(CultureInfo.InvariantCulture, $"- … and {report.Errors.Count - MaxProblems} more\n");
        }

        text.Append("\n</details>\n\n");
    }

    private static string Section(ObjectReport obj)
    {
        var text = new StringBuilder();
        var result = AuditTally.ResultOf(obj) switch { ObjectResult.Deny => "would be denied", ObjectResult.Warn => "warnings", _ => "waived findings only" };
        text.Append("### ").Append(Escape($"{obj.Namespace}/{obj.Name}")).Append(" — ").Append(result).Append("\n\n");
        text.Append('`').Append(Code(obj.Document.Line > 0 ? obj.Document.Location : obj.Document.Source)).Append("`\n\n");
        text.Append("| | rule | where | message | fix |\n|---|---|---|---|---|\n");
        foreach (var verdict in AuditTally.Ordered(obj.Evaluation))
        {
            var f = verdict.Finding;
            var kind = AuditTally.KindOf(verdict);
            var line = obj.Document.LineOf(f.Path);
            var where = (f.Path is null ? "" : $"`{Code(f.Path)}`") + (line > 0 ? $" line {line.ToString(CultureInfo.InvariantCulture)}" : "");
            var fix = Escape(f.Fix) + (verdict.Waiver is { } w ? $"<br>_{Escape(w.Warning)}: {Escape(w.Reason)}_" : "")
                      + (f.Suggested is not null ? "<br>_`mutate --companions` prints the object to add_" : "");
            text.Append(kind == "deny" ? "| **deny** " : $"| {kind} ")
                .Append("| [`").Append(f.RuleId).Append("`](").Append(RuleDocs.Url(f.RuleId)).Append(") ")
                .Append("| ").Append(where.Trim()).Append(' ')
                .Append("| ").Append(Escape(f.Message)).Append(' ')
                .Append("| ").Append(fix).Append(" |\n");
        }

        foreach (var note in obj.Evaluation.Notes.Where(n => !obj.Evaluation.Verdicts.Any(v => v.Waiver?.Warning == n)))
        {
            text.Append("\nnote: ").Append(Escape(note)).Append('\n');
        }

        text.Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// Text from the input as plain text in a table cell: no markup, no HTML (GitHub renders both), no line break or pipe
    /// that would end the cell.
    /// </summary>
    internal static string Escape(string value)
    {
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '<': text.Append("&lt;"); break;
                case '>': text.Append("&gt;"); break;
                case '&': text.Append("&amp;"); break;
                case '|': text.Append("\\|"); break;
                case '\r' or '\n' or '\t': text.Append(' '); break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '#' or '~' or '!': text.Append('\\').Append(c); break;
                default:
                    text.Append(char.IsControl(c) ? '\uFFFD' : c);
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>Text inside a code span: a backtick would close it, a pipe would end the table cell.</summary>
    private static string Code(string value) =>
        value.Replace('`', '\'').Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');

    private static int Bytes(StringBuilder text) => Encoding.UTF8.GetByteCount(text.ToString());
}
