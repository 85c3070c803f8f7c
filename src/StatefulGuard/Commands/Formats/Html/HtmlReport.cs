using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Core.Rules;
using static StatefulGuard.Commands.Formats.Html.HtmlText;

namespace StatefulGuard.Commands.Formats.Html;

/// <summary>
/// <c>audit --format html</c>: one self-contained page. Styles, script and charts are inline, and its
/// Content-Security-Policy allows those two blocks by hash and nothing else, so opening it makes no request and nothing
/// from a manifest can run. Everything is readable without script; the script only adds the filters.
/// </summary>
internal static class HtmlReport
{
    private static readonly string Style = Resource("report.css");
    private static readonly string Script = Resource("report.js");

    public static void Write(TextWriter html, AuditReport report, IReadOnlyList<(RuleDescriptor Rule, RuleAction Action)> checks, ReportContext context)
    {
        var tally = AuditTally.Of(report);
        var rules = RuleCount.Of(report);
        var withFindings = report.Objects.Where(o => o.Evaluation.Verdicts.Count > 0).ToList();
        var verdict = Verdict(tally, context);

        html.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Write($"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src '{Hash(Style)}'; script-src '{Hash(Script)}'; img-src data:; base-uri 'none'; form-action 'none'\">\n");
        html.Write($"<meta name=\"generator\" content=\"statefulguard {Encode(Version)}\">\n");
        html.Write($"<title>StatefulGuard audit: {Encode(verdict.Text)}</title>\n<style>{Style}</style>\n</head>\n<body>\n");

        html.Write("<header>\n<h1>StatefulGuard audit</h1>\n");
        html.Write(string.Create(CultureInfo.InvariantCulture,
            $"<p class=\"meta\">{Encode(string.Join(", ", context.Inputs))} · {context.Mode.ToString().ToLowerInvariant()} mode" +
            $"{(context.WarningsAsFailures ? ", warnings as failures" : "")} · {context.Timestamp.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC · " +
            $"{report.DocumentsRead} documents read in {context.Elapsed.TotalSeconds:0.00} s · statefulguard {Encode(Version)}</p>\n</header>\n<main>\n"));

        Summary(html, tally, rules, verdict, report);
        Filters(html, withFindings, rules);
        html.Write("<section id=\"objects\" aria-labelledby=\"objects-title\">\n");
        html.Write($"<h2 id=\"objects-title\">StatefulSets with findings ({withFindings.Count})</h2>\n");
        if (withFindings.Count == 0)
        {
            html.Write("<p>None.</p>\n");
        }

        var index = 0;
        foreach (var obj in withFindings.OrderBy(AuditTally.ResultOf))
        {
            Object(html, obj, ++index);
        }

        html.Write("</section>\n");
        Others(html, report);
        Problems(html, report);
        RuleSection(html, checks);
        html.Write($"</main>\n<footer>StatefulGuard {Encode(Version)} · <a href=\"{RuleDocs.ProjectUrl}\">{RuleDocs.ProjectUrl}</a></footer>\n");
        html.Write($"<script>{Script}</script>\n</body>\n</html>\n");
    }

    private static (string Text, string Class) Verdict(AuditTally tally, ReportContext context)
    {
        var text = tally.Denied > 0 ? $"{tally.Denied} of {tally.Checked} StatefulSet{(tally.Checked == 1 ? "" : "s")} would be denied"
            : tally.Warned > 0 ? $"nothing would be denied; {tally.Warned} StatefulSet{(tally.Warned == 1 ? "" : "s")} with warnings"
            : tally.Checked > 0 ? "nothing would be denied, no warnings" : "no StatefulSet in the input";
        var css = tally.Denied > 0 ? "deny" : tally.Warned > 0 ? "warn" : "ok";
        return (text + (context.Mode == Core.Engine.GuardMode.Audit ? " (audit mode: not failing)" : ""), css);
    }

    private static void Summary(TextWriter html, AuditTally tally, IReadOnlyList<RuleCount> rules, (string Text, string Class) verdict, AuditReport report)
    {
        html.Write("<section id=\"summary\" aria-labelledby=\"summary-title\">\n<h2 id=\"summary-title\">Summary</h2>\n");
        html.Write($"<p class=\"verdict {verdict.Class}\">{Encode(char.ToUpperInvariant(verdict.Text[0]) + verdict.Text[1..])}</p>\n<dl class=\"counts\">\n");
        foreach (var (css, label, count) in new[]
                 {
                     ("total", "StatefulSets checked", tally.Checked), ("deny", "would be denied", tally.Denied), ("warn", "with warnings", tally.Warned),
                     ("ok", "clean", tally.Clean), ("skip", "skipped", tally.Skipped),
                 })
        {
            html.Write(string.Create(CultureInfo.InvariantCulture, $"<div class=\"{css}\"><dt>{label}</dt><dd id=\"count-{css}\">{count}</dd></div>\n"));
        }

        html.Write("</dl>\n");
        if (rules.Count == 0)
        {
            html.Write("</section>\n");
            return;
        }

        var severities = report.Objects.SelectMany(o => o.Evaluation.Verdicts)
            .GroupBy(v => RuleDocs.Descriptor(v.RuleId).Severity).ToDictionary(g => g.Key, g => g.Count());
        html.Write("<div class=\"charts\">\n");
        html.Write($"<figure><figcaption>Findings per rule (denials, warnings, waived)</figcaption>{HtmlCharts.ByRule(rules)}</figure>\n");
        html.Write($"<figure><figcaption>Findings per severity</figcaption>{HtmlCharts.BySeverity(severities)}</figure>\n</div>\n");
        html.Write("<table class=\"tally\" id=\"by-rule\">\n<thead><tr><th>rule</th><th>severity</th><th class=\"n\">denials</th><th class=\"n\">warnings</th><th class=\"n\">waived</th></tr></thead>\n<tbody>\n");
        foreach (var rule in rules)
        {
            var severity = RuleDocs.Severity(rule.Rule);
            html.Write(string.Create(CultureInfo.InvariantCulture,
                $"<tr><td><a href=\"#rule-{Encode(rule.Rule)}\"><code>{Encode(rule.Rule)}</code></a></td><td><span class=\"sev {severity}\">{severity}</span></td>" +
                $"<td class=\"n\">{rule.Deny}</td><td class=\"n\">{rule.Warn}</td><td class=\"n\">{rule.Waived}</td></tr>\n"));
        }

        html.Write("</tbody>\n</table>\n</section>\n");
    }

    /// <summary>Hidden until the script shows them: without script, a filter that does nothing would mislead.</summary>
    private static void Filters(TextWriter html, List<ObjectReport> withFindings, IReadOnlyList<RuleCount> rules)
    {
        if (withFindings.Count == 0)
        {
            return;
        }

        html.Write("<form id=\"filters\" hidden aria-label=\"Filter the findings\">\n");
        Select(html, "rule", "Rule", rules.Select(r => r.Rule).Order(StringComparer.Ordinal));
        Select(html, "severity", "Severity", Enum.GetValues<RuleSeverity>().Reverse().Select(s => s.ToString().ToLowerInvariant()));
        Select(html, "namespace", "Namespace", withFindings.Select(o => o.Namespace).Distinct().Order(StringComparer.Ordinal));
        foreach (var (kind, label) in new[] { ("deny", "denials"), ("warn", "warnings"), ("waived", "waived") })
        {
            html.Write($"<label><input type=\"checkbox\" name=\"kind\" value=\"{kind}\" id=\"show-{kind}\" checked> {label}</label>\n");
        }

        html.Write("<button type=\"reset\">Show all</button>\n<output id=\"shown\" aria-live=\"polite\"></output>\n</form>\n");
    }

    private static void Select(TextWriter html, string name, string label, IEnumerable<string> values)
    {
        html.Write($"<label>{label}<select name=\"{name}\" id=\"filter-{name}\"><option value=\"\">all</option>");
        foreach (var value in values)
        {
            html.Write($"<option>{Encode(value)}</option>");
        }

        html.Write("</select></label>\n");
    }

    private static void Object(TextWriter html, ObjectReport obj, int index)
    {
        var result = AuditTally.ResultOf(obj);
        var (badge, css) = result switch { ObjectResult.Deny => ("deny", "deny"), ObjectResult.Warn => ("warn", "warn"), _ => ("ok", "ok") };
        var where = obj.Document.Line > 0 ? obj.Document.Location : obj.Document.Source;
        html.Write(string.Create(CultureInfo.InvariantCulture,
            $"<article class=\"sts\" id=\"sts-{index}\" data-ns=\"{Encode(obj.Namespace)}\" data-result=\"{css}\">\n<header><span class=\"badge {css}\">{badge}</span>" +
            $"<h3>StatefulSet {Encode(obj.Namespace)}/{Encode(obj.Name)}</h3><span class=\"where\">{Encode(where)}</span></header>\n"));
        html.Write("<table>\n<thead><tr><th></th><th>rule</th><th>where</th><th>message and fix</th></tr></thead>\n<tbody>\n");
        foreach (var verdict in AuditTally.Ordered(obj.Evaluation))
        {
            var f = verdict.Finding;
            var kind = AuditTally.KindOf(verdict);
            var severity = RuleDocs.Severity(f.RuleId);
            var line = obj.Document.LineOf(f.Path);
            html.Write($"<tr data-kind=\"{kind}\" data-rule=\"{Encode(f.RuleId)}\" data-severity=\"{severity}\">");
            html.Write($"<td><span class=\"badge {kind}\">{kind}</span></td>");
            html.Write($"<td><a href=\"#rule-{Encode(f.RuleId)}\"><code>{Encode(f.RuleId)}</code></a><br><span class=\"sev {severity}\">{severity}</span></td>");
            html.Write("<td>" + (f.Path is null ? "" : $"<code>{Encode(f.Path)}</code>")
                              + (line > 0 ? string.Create(CultureInfo.InvariantCulture, $"<br>line {line}") : "") + "</td>");
            html.Write($"<td><div class=\"message\">{Encode(f.Message)}</div><div class=\"fix\">fix: {Encode(f.Fix)}</div>");
            if (verdict.Waiver is { } waiver)
            {
                html.Write($"<div class=\"fix\">{Encode(waiver.Warning)}: {Encode(waiver.Reason)}</div>");
            }

            if (f.Suggested is { } suggested)
            {
                html.Write($"<details><summary>add {Encode((string?)suggested["kind"])} {Encode((string?)suggested["metadata"]?["name"])}</summary><pre>{Encode(YamlWriter.Write(suggested))}</pre></details>");
            }

            html.Write("</td></tr>\n");
        }

        html.Write("</tbody>\n</table>\n");
        var notes = obj.Evaluation.Notes.Where(n => !obj.Evaluation.Verdicts.Any(v => v.Waiver?.Warning == n)).ToList();
        if (notes.Count > 0)
        {
            html.Write($"<p class=\"notes\">{string.Join("<br>", notes.Select(n => "note: " + Encode(n)))}</p>\n");
        }

        html.Write("</article>\n");
    }

    /// <summary>Clean and skipped StatefulSets by name only, folded: at thousands of objects they would bury the findings.</summary>
    private static void Others(TextWriter html, AuditReport report)
    {
        foreach (var (result, title) in new[] { (ObjectResult.Ok, "Clean"), (ObjectResult.Skipped, "Skipped (namespace mode off)") })
        {
            var objects = report.Objects.Where(o => o.Evaluation.Verdicts.Count == 0 && AuditTally.ResultOf(o) == result).ToList();
            if (objects.Count == 0)
            {
                continue;
            }

            html.Write(string.Create(CultureInfo.InvariantCulture,
                $"<section id=\"{(result == ObjectResult.Ok ? "clean" : "skipped")}\"><h2>{title} ({objects.Count})</h2>\n<details><summary>{objects.Count} StatefulSet{(objects.Count == 1 ? "" : "s")}</summary>\n<ul class=\"names\">\n"));
            foreach (var obj in objects)
            {
                html.Write($"<li>{Encode(obj.Namespace)}/{Encode(obj.Name)} <span class=\"where\">{Encode(obj.Document.Line > 0 ? obj.Document.Location : obj.Document.Source)}</span></li>\n");
            }

            html.Write("</ul>\n</details>\n</section>\n");
        }
    }

    private static void Problems(TextWriter html, AuditReport report)
    {
        if (report.Errors.Count == 0)
        {
            return;
        }

        html.Write(string.Create(CultureInfo.InvariantCulture, $"<section id=\"problems\"><h2>Input problems ({report.Errors.Count})</h2>\n<ul>\n"));
        foreach (var problem in report.Errors.OrderBy(e => e.IsWarning))
        {
            html.Write($"<li><span class=\"badge {(problem.IsWarning ? "warn\">warning" : "deny\">error")}</span> {Encode(problem.ToString())}</li>\n");
        }

        html.Write("</ul>\n</section>\n");
    }

    /// <summary>The rules in the page itself (a report is often read offline), each linking to its section of docs/rules.md.</summary>
    private static void RuleSection(TextWriter html, IReadOnlyList<(RuleDescriptor Rule, RuleAction Action)> checks)
    {
        html.Write("<section id=\"rules\"><h2>Rules</h2>\n");
        foreach (var (rule, action) in checks.OrderBy(c => c.Rule.Id, StringComparer.Ordinal))
        {
            var severity = rule.Severity.ToString().ToLowerInvariant();
            html.Write($"<div class=\"rule\" id=\"rule-{Encode(rule.Id)}\"><h3><code>{Encode(rule.Id)}</code> <span class=\"sev {severity}\">{severity}</span> · {Encode(rule.Category)} · {action.ToString().ToLowerInvariant()}</h3>");
            html.Write($"<p>{Encode(rule.Description)}</p><p>{Encode(rule.Help)}</p><p><a href=\"{Encode(RuleDocs.Url(rule.Id))}\">docs/rules.md#{Encode(rule.Id)}</a></p></div>\n");
        }

        html.Write("</section>\n");
    }

    private static string Version => typeof(HtmlReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>A CSP source for an inline block: its SHA-256, so the browser runs this block and no other.</summary>
    internal static string Hash(string block) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(block)));

    private static string Resource(string name)
    {
        using var stream = typeof(HtmlReport).Assembly.GetManifestResourceStream($"StatefulGuard.Commands.Formats.Html.{name}")
                           ?? throw new InvalidOperationException($"the HTML report's {name} is not embedded in the executable");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
