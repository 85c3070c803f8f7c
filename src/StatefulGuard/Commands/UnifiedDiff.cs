using System.Text;

namespace StatefulGuard.Commands;

/// <summary>A unified diff of two texts, line by line, with three lines of context (as <c>diff -u</c> prints it).</summary>
internal static class UnifiedDiff
{
    private const int Context = 3;

    public static string Create(string before, string after, string fromLabel, string toLabel)
    {
        var a = Lines(before);
        var b = Lines(after);
        var edits = Edits(a, b);
        if (edits.All(e => e.Op == ' '))
        {
            return "";
        }

        var text = new StringBuilder();
        text.Append("--- ").Append(fromLabel).Append('\n').Append("+++ ").Append(toLabel).Append('\n');
        var i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Op == ' ')
            {
                i++;
                continue;
            }

            // A hunk: from Context lines before the change to Context lines after the last nearby change.
            var start = Math.Max(0, i - Context);
            var end = i;
            while (end < edits.Count)
            {
                var next = end;
                while (next < edits.Count && edits[next].Op == ' ')
                {
                    next++;
                }

                if (next >= edits.Count || next - end > 2 * Context)
                {
                    break;
                }

                end = next;
                while (end < edits.Count && edits[end].Op != ' ')
                {
                    end++;
                }
            }

            var stop = Math.Min(edits.Count, end + Context);
            var hunk = edits.GetRange(start, stop - start);
            var oldStart = hunk.FirstOrDefault(e => e.Op != '+').OldLine;
            var newStart = hunk.FirstOrDefault(e => e.Op != '-').NewLine;
            text.Append($"@@ -{oldStart + 1},{hunk.Count(e => e.Op != '+')} +{newStart + 1},{hunk.Count(e => e.Op != '-')} @@\n");
            foreach (var edit in hunk)
            {
                text.Append(edit.Op).Append(edit.Text).Append('\n');
            }

            i = stop;
        }

        return text.ToString();
    }

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');

    /// <summary>The edit script from a longest-common-subsequence table; manifests are small enough for O(n·m).</summary>
    private static List<(char Op, string Text, int OldLine, int NewLine)> Edits(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var edits = new List<(char, string, int, int)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                edits.Add((' ', a[x], x, y));
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                edits.Add(('+', b[y], x, y));
                y++;
            }
            else
            {
                edits.Add(('-', a[x], x, y));
                x++;
            }
        }

        return edits;
    }
}
