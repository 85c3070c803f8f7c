using System.Text;
using StatefulGuard.Tests.Support;
using static StatefulGuard.Tests.Support.ReportFixtures;

namespace StatefulGuard.Tests.Commands;

/// <summary><c>audit --format markdown</c>: a CI step summary or pull-request comment that always fits.</summary>
public sealed class MarkdownReportTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("sg-markdown-");

    public void Dispose() => temp.Delete(recursive: true);

    private static string Row(string markdown, string start) =>
        markdown.Split('\n').Single(l => l.StartsWith(start, StringComparison.Ordinal));

    [Fact]
    public async Task Examples_give_the_counts_the_rules_and_a_section_per_statefulset_with_findings()
    {
        var (exit, md, _) = await Run("audit", "--format", "markdown", Repository.Examples);

        Assert.Equal(1, exit);
        Assert.StartsWith("## StatefulGuard audit\n\n**3 of 6 StatefulSets would be denied.**", md, StringComparison.Ordinal);
        Assert.Contains("| StatefulSets checked | denied | with warnings | clean | skipped |\n|---:|---:|---:|---:|---:|\n| 6 | 3 | 0 | 2 | 1 |", md);
        Assert.Equal("| [`headless-service`](https://github.com/statefulguard/statefulguard/blob/main/docs/rules.md#headless-service) | high | 3 | 0 | 0 |",
            Row(md, "| [`headless-service`]"));

        // One section per StatefulSet with findings, none for the clean or skipped ones.
        Assert.Equal(["streaming/kafka", "cache/redis", "coordination/zk"],
            md.Split('\n').Where(l => l.StartsWith("### ", StringComparison.Ordinal)).Select(l => l[4..l.IndexOf(" — ", StringComparison.Ordinal)]));
        Assert.DoesNotContain("shop/postgres", md);
        var denial = Row(md, "| **deny** | [`headless-service`](https://github.com/statefulguard/statefulguard/blob/main/docs/rules.md#headless-service) | `spec.serviceName` line 24 |");
        Assert.Contains("| Service \"zk-hs\" named by spec.serviceName was not found in the input (namespace \"coordination\") |", denial);
        Assert.Contains("add a headless Service \"zk-hs\"", denial);
        Assert.EndsWith("|", denial);

        // Every table row has as many cells as its header.
        foreach (var table in md.Split("\n\n").Where(b => b.StartsWith('|')))
        {
            var rows = table.Split('\n');
            Assert.All(rows, r => Assert.Equal(Cells(rows[0]), Cells(r)));
        }
    }

    [Fact]
    public async Task Audit_mode_and_warnings_as_failures_are_said_in_the_verdict()
    {
        var (exit, md, _) = await Run("audit", "--format", "markdown", "--mode", "audit", Repository.Examples);
        Assert.Equal(0, exit);
        Assert.Contains("**3 of 6 StatefulSets would be denied.** Audit mode: the run does not fail.", md);

        (exit, md, _) = await Run("audit", "--format", "markdown", "--warnings-as-failures", ReportFixtures.WarningsOnly);
        Assert.Equal(1, exit);
        Assert.Contains("**Nothing would be denied**; 1 StatefulSet has warnings. Warnings count as failures.", md);
        Assert.Contains("| warn | [`image-tag`]", md);
    }

    [Fact]
    public async Task Markup_from_the_input_is_text_and_cannot_break_a_table()
    {
        var (_, md, _) = await Run("audit", "--format", "markdown", ReportFixtures.Hostile);

        Assert.DoesNotContain("<img", md);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;\\|\\*\\*bold\\*\\*\\|\\`tick\\`", md);
        var denial = Row(md, "| **deny** |");
        Assert.Equal(5, Cells(denial));
        Assert.Contains("### markup/db\uFFFD — would be denied", md);
    }

    [Fact]
    public async Task A_large_audit_stays_under_64_KB_and_says_what_it_left_out()
    {
        var input = Many(temp.FullName, 1500);

        var (exit, md, _) = await Run("audit", "--format", "markdown", input);

        Assert.Equal(1, exit);
        Assert.InRange(Encoding.UTF8.GetByteCount(md), 32 * 1024, 64 * 1024);
        var shown = md.Split('\n').Count(l => l.StartsWith("### ", StringComparison.Ordinal));
        Assert.InRange(shown, 10, 1499);
        Assert.Contains($"_{1500 - shown} more StatefulSets with findings not shown ({1500 - shown} would be denied, 0 with warnings, 0 with waived findings only): this report stops at 64 KB.", md);
        Assert.Contains("| 1500 | 1500 | 0 | 0 | 0 |", md); // the counts are always whole
        Assert.EndsWith("_\n", md); // a whole closing line, no section cut short
    }

    private static int Cells(string row) => row.Replace("\\|", "", StringComparison.Ordinal).Count(c => c == '|') - 1;
}
