using System.Text;

namespace StatefulGuard.Core.Engine;

/// <summary>How verdicts are worded for the apiserver: a denial message and short warnings.</summary>
public static class Messages
{
    /// <summary>kubectl prints warnings on one line each; longer ones are hard to read.</summary>
    public const int WarningWidth = 120;

    /// <summary>More than a few warnings get skipped by readers; the rest is in the logs and the audit report.</summary>
    public const int MaxWarnings = 5;

    public static string DenialMessage(string kind, string @namespace, string name, Evaluation evaluation)
    {
        var denials = evaluation.Denials.ToList();
        var text = new StringBuilder();
        text.Append("StatefulGuard denied ").Append(kind).Append(' ').Append(@namespace).Append('/').Append(name).Append(':');
        foreach (var verdict in denials)
        {
            var f = verdict.Finding;
            text.Append(denials.Count > 1 ? "\n- " : " ").Append('[').Append(f.RuleId).Append("] ").Append(f.Message)
                .Append(". Fix: ").Append(f.Fix).Append('.');
        }

        return text.ToString();
    }

    public static IReadOnlyList<string> Warnings(Evaluation evaluation) =>
        Limit(evaluation.Notes.Concat(evaluation.Warnings.Select(Warning)));

    /// <summary>At most <see cref="MaxWarnings"/> lines of at most <see cref="WarningWidth"/> printable characters.</summary>
    public static IReadOnlyList<string> Limit(IEnumerable<string> warnings)
    {
        var lines = warnings.ToList();
        if (lines.Count > MaxWarnings)
        {
            var rest = lines.Count - (MaxWarnings - 1);
            lines.RemoveRange(MaxWarnings - 1, rest);
            lines.Add($"StatefulGuard: {rest} more findings; run statefulguard audit for the full report");
        }

        for (var i = 0; i < lines.Count; i++)
        {
            lines[i] = Fit(lines[i]);
        }

        return lines;
    }

    public static string Warning(Verdict verdict)
    {
        var prefix = verdict.Qualifier switch
        {
            VerdictQualifier.Audit => "would deny: ",
            VerdictQualifier.PreExisting => "pre-existing, allowed: ",
            _ => "",
        };
        return $"{verdict.RuleId}: {prefix}{verdict.Finding.Short}";
    }

    /// <summary>
    /// Makes a warning fit: control characters (which the apiserver rejects; names come from user input) become
    /// spaces, and a line over <see cref="WarningWidth"/> has its longest quoted names shortened in the middle
    /// ("very-long…name") so the words around them, the fix among them, survive whole. Only a line that still
    /// does not fit is cut, at a word boundary.
    /// </summary>
    public static string Fit(string line)
    {
        if (line.AsSpan().ContainsAnyInRange('\0', '\u001f') || line.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            line = string.Create(line.Length, line, static (span, s) =>
            {
                for (var i = 0; i < s.Length; i++)
                {
                    span[i] = char.IsControl(s[i]) ? ' ' : s[i];
                }
            });
        }

        if (line.Length <= WarningWidth)
        {
            return line;
        }

        var quoted = new List<(int Start, int Length)>();
        for (int i = line.IndexOf('"'); i >= 0 && i + 1 < line.Length;)
        {
            var end = line.IndexOf('"', i + 1);
            if (end < 0)
            {
                break;
            }

            quoted.Add((i + 1, end - i - 1));
            i = line.IndexOf('"', end + 1);
        }

        const int MinName = 9;
        var excess = line.Length - WarningWidth;
        var keep = quoted.Select(q => q.Length).ToArray();
        while (excess > 0)
        {
            var longest = Array.IndexOf(keep, keep.Max(k => (int?)k) ?? 0);
            if (quoted.Count == 0 || keep[longest] <= MinName)
            {
                break;
            }

            var target = Math.Max(MinName, keep[longest] - excess);
            excess -= keep[longest] - target;
            keep[longest] = target;
        }

        var text = new StringBuilder(WarningWidth + 8);
        var at = 0;
        for (var q = 0; q < quoted.Count; q++)
        {
            var (start, length) = quoted[q];
            text.Append(line, at, start - at);
            if (keep[q] < length)
            {
                // keep[q] characters in all, the ellipsis among them.
                var head = keep[q] / 2;
                var tail = keep[q] - 1 - head;
                text.Append(line, start, head).Append('…').Append(line, start + length - tail, tail);
            }
            else
            {
                text.Append(line, start, length);
            }

            at = start + length;
        }

        text.Append(line, at, line.Length - at);
        if (text.Length <= WarningWidth)
        {
            return text.ToString();
        }

        var cut = text.ToString(0, WarningWidth - 1);
        var space = cut.LastIndexOf(' ');
        return string.Concat(space > WarningWidth / 2 ? cut.AsSpan(0, space) : cut.AsSpan(), "…");
    }
}
