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

    /// <summary>
    /// The edit script, from DiffPlex's O(ND) line diff: time and memory grow with the size of the texts and of the
    /// change, never with their product (a 25,000-line ConfigMap with one change costs what it reads).
    /// </summary>
    private static List<(char Op, string Text, int OldLine, int NewLine)> Edits(string[] a, string[] b)
    {
        var diff = DiffPlex.Differ.Instance.CreateLineDiffs(string.Join('\n', a), string.Join('\n', b), ignoreWhitespace: false, ignoreCase: false);
        var edits = new List<(char, string, int, int)>(Math.Max(a.Length, b.Length));
        int x = 0, y = 0;
        foreach (var block in diff.DiffBlocks)
        {
            for (; x < block.DeleteStartA; x++, y++)
            {
                edits.Add((' ', a[x], x, y));
            }

            for (var d = 0; d < block.DeleteCountA; d++, x++)
            {
                edits.Add(('-', a[x], x, y));
            }

            for (var n = 0; n < block.InsertCountB; n++, y++)
            {
                edits.Add(('+', b[y], x, y));
            }
        }

        for (; x < a.Length; x++, y++)
        {
            edits.Add((' ', a[x], x, y));
        }

        return edits;
    }
}
