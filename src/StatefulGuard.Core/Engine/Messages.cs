using System.Text;
using StatefulGuard.Core.Rules;

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
            lines[i] = Clip(lines[i]);
        }

        return lines;
    }

    public static string Warning(Verdict verdict)
    {
        var prefix = verdict.Qualifier switch
        {
            VerdictQualifier.Audit => "would deny: ",
            VerdictQualifier.PreExisting => "not blocking (pre-existing): ",
            _ => "",
        };
        return $"{verdict.RuleId}: {prefix}{verdict.Finding.Message}";
    }

    private static string Clip(string line)
    {
        // The apiserver rejects warnings with control characters; names in messages come from user input.
        if (line.Length <= WarningWidth && !line.AsSpan().ContainsAnyInRange('\0', '\u001f') && !line.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            return line;
        }

        var clean = string.Create(line.Length, line, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? ' ' : s[i];
            }
        });
        return clean.Length <= WarningWidth ? clean : string.Concat(clean.AsSpan(0, WarningWidth - 1), "…");
    }
}
