using System.Globalization;
using System.Text;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Commands.Formats.Html;

/// <summary>
/// The summary charts as inline SVG, drawn when the page is written: they need no script and no library, and a table
/// beside them carries the same numbers for screen readers and copying.
/// </summary>
internal static class HtmlCharts
{
    private const int LabelWidth = 190;
    private const int BarWidth = 360;
    private const int RowHeight = 24;

    /// <summary>One bar per rule, its denials, warnings and waived findings stacked.</summary>
    public static string ByRule(IReadOnlyList<RuleCount> rules)
    {
        var max = Math.Max(1, rules.Max(r => r.Total));
        var svg = Open(rules.Count, "Findings per rule: denials, warnings and waived");
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var y = i * RowHeight;
            Label(svg, y, rule.Rule);
            var x = (double)LabelWidth;
            foreach (var (kind, count) in new[] { ("deny", rule.Deny), ("warn", rule.Warn), ("waived", rule.Waived) })
            {
                if (count > 0)
                {
                    var width = Math.Max(2, BarWidth * count / (double)max);
                    Bar(svg, x, y, width, kind, $"{rule.Rule}: {count} {Word(kind, count)}");
                    x += width;
                }
            }

            Value(svg, x, y, rule.Total);
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>One bar per severity, from critical to info.</summary>
    public static string BySeverity(IReadOnlyDictionary<RuleSeverity, int> counts)
    {
        var severities = Enum.GetValues<RuleSeverity>().Reverse().ToArray();
        var max = Math.Max(1, counts.Values.DefaultIfEmpty(0).Max());
        var svg = Open(severities.Length, "Findings per severity");
        for (var i = 0; i < severities.Length; i++)
        {
            var name = severities[i].ToString().ToLowerInvariant();
            var count = counts.GetValueOrDefault(severities[i]);
            var y = i * RowHeight;
            Label(svg, y, name);
            var width = count == 0 ? 0 : Math.Max(2, BarWidth * count / (double)max);
            if (count > 0)
            {
                Bar(svg, LabelWidth, y, width, name, $"{name}: {count} finding{(count == 1 ? "" : "s")}");
            }

            Value(svg, LabelWidth + width, y, count);
        }

        return svg.Append("</svg>").ToString();
    }

    private static StringBuilder Open(int rows, string title)
    {
        var height = Math.Max(1, rows) * RowHeight;
        var width = LabelWidth + BarWidth + 60;
        return new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{HtmlText.Encode(title)}\">");
    }

    private static void Label(StringBuilder svg, int y, string text) =>
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 16}\">{HtmlText.Encode(text)}</text>");

    private static void Bar(StringBuilder svg, double x, int y, double width, string kind, string title) =>
        svg.Append(CultureInfo.InvariantCulture,
            $"<rect class=\"bar {kind}\" x=\"{x:0.#}\" y=\"{y + 4}\" width=\"{width:0.#}\" height=\"{RowHeight - 8}\"><title>{HtmlText.Encode(title)}</title></rect>");

    private static void Value(StringBuilder svg, double x, int y, int count) =>
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 6:0.#}\" y=\"{y + 16}\">{count}</text>");

    private static string Word(string kind, int count) => kind switch
    {
        "deny" => count == 1 ? "denial" : "denials",
        "warn" => count == 1 ? "warning" : "warnings",
        _ => "waived",
    };
}
