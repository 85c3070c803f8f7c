using System.Text.RegularExpressions;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Commands;

/// <summary>
/// Commands shown in the docs are commands the product runs as shown: each fenced block after an
/// <c>&lt;!-- example exit=N: ARGS --&gt;</c> marker is checked against <c>statefulguard ARGS</c> run from the repository
/// root, which must exit with N. A block may leave lines out (an excerpt, "…" where it does) but every line it shows must
/// be printed, in that order; a line starting with "$ " shows the command; times and timestamps are not compared.
/// </summary>
[Trait("Category", "Binary")]
public sealed partial class DocExampleTests
{
    public static TheoryData<string, string, int, int> Examples()
    {
        var data = new TheoryData<string, string, int, int>();
        foreach (var doc in Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md").Append(Path.Combine(Repository.Root, "README.md")))
        {
            foreach (Match match in Example().Matches(File.ReadAllText(doc)))
            {
                data.Add(Path.GetRelativePath(Repository.Root, doc), match.Groups["args"].Value, int.Parse(match.Groups["exit"].Value, System.Globalization.CultureInfo.InvariantCulture), match.Index);
            }
        }

        return data;
    }

    [Fact]
    public void Every_marker_is_well_formed_and_the_readme_and_reports_page_have_examples()
    {
        foreach (var doc in Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md").Append(Path.Combine(Repository.Root, "README.md")))
        {
            var text = File.ReadAllText(doc);
            Assert.Equal(Marker().Count(text), Example().Count(text));
        }

        var docs = Examples().Select(e => (string)e[0]).ToHashSet();
        Assert.Contains("README.md", docs);
        Assert.Contains(Path.Combine("docs", "reports.md"), docs);
    }

    [Fact]
    public void The_reports_page_shows_an_example_of_every_format()
    {
        var shown = Examples().Where(e => (string)e[0] == Path.Combine("docs", "reports.md")).Select(e => (string)e[1]).ToList();
        foreach (var format in new[] { "junit", "markdown", "html" })
        {
            Assert.Contains(shown, args => args.Contains($"--format {format}", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task The_example_is_what_the_command_prints(string doc, string args, int exit, int at)
    {
        var block = Example().Match(File.ReadAllText(Path.Combine(Repository.Root, doc)), at).Groups["block"].Value;

        var (status, output, error) = await CliTests.RunAsync(args.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.True(status == exit, $"{doc}: `statefulguard {args}` exited {status}, the docs say {exit}\n{error}");
        var printed = Normalize(output).Split('\n');
        var next = 0;
        // A shell prompt line says how the command was run, and "…" marks lines left out.
        foreach (var line in Normalize(block).Split('\n').Where(l => l.Trim().Length > 0 && !l.StartsWith("$ ", StringComparison.Ordinal) && l.Trim() != "…"))
        {
            var found = Array.FindIndex(printed, next, p => p.TrimEnd() == line.TrimEnd());
            Assert.True(found >= 0, $"{doc}: `statefulguard {args}` does not print this line (after the lines before it):\n{line}\n\nit printed:\n{output}\n{error}");
            next = found + 1;
        }
    }

    private static string Normalize(string text) => Times().Replace(text.Replace("\r\n", "\n", StringComparison.Ordinal), "$1=\"…\"");

    [GeneratedRegex("<!-- example exit=(?<exit>[0-9]): (?<args>[^>]*?) -->\\s*```[a-z]*\\n(?<block>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Example();

    /// <summary>Any example marker, well formed or not (a marker the test would skip is an error).</summary>
    [GeneratedRegex("<!-- example")]
    private static partial Regex Marker();

    [GeneratedRegex("\\b(time|timestamp)=\"[^\"]*\"")]
    private static partial Regex Times();
}
