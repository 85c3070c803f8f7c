using System.Text.RegularExpressions;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Commands;

/// <summary>
/// Output shown in the docs is output the product prints: each fenced block after an
/// <c>&lt;!-- example: ARGS --&gt;</c> marker is checked against <c>statefulguard ARGS</c> run from the repository root.
/// A block may leave lines out (an excerpt) but every line it shows must be printed, in that order; times and
/// timestamps are not compared.
/// </summary>
public sealed partial class DocExampleTests
{
    public static TheoryData<string, string, int> Examples()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var doc in Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md").Append(Path.Combine(Repository.Root, "README.md")))
        {
            foreach (Match match in Example().Matches(File.ReadAllText(doc)))
            {
                data.Add(Path.GetRelativePath(Repository.Root, doc), match.Groups["args"].Value, match.Index);
            }
        }

        return data;
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
    public async Task The_example_is_what_the_command_prints(string doc, string args, int at)
    {
        var block = Example().Match(File.ReadAllText(Path.Combine(Repository.Root, doc)), at).Groups["block"].Value;

        var (_, output, error) = await CliTests.RunAsync(args.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        var printed = Normalize(output).Split('\n');
        var next = 0;
        foreach (var line in Normalize(block).Split('\n').Where(l => l.Trim().Length > 0))
        {
            var found = Array.FindIndex(printed, next, p => p.TrimEnd() == line.TrimEnd());
            Assert.True(found >= 0, $"{doc}: `statefulguard {args}` does not print this line (after the lines before it):\n{line}\n\nit printed:\n{output}\n{error}");
            next = found + 1;
        }
    }

    private static string Normalize(string text) => Times().Replace(text.Replace("\r\n", "\n", StringComparison.Ordinal), "$1=\"…\"");

    [GeneratedRegex("<!-- example: (?<args>[^>]*?) -->\\s*```[a-z]*\\n(?<block>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Example();

    [GeneratedRegex("\\b(time|timestamp)=\"[^\"]*\"")]
    private static partial Regex Times();
}
