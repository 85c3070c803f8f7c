using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using StatefulGuard.Tests.Support;
using static StatefulGuard.Tests.Support.ReportFixtures;

namespace StatefulGuard.Tests.Commands;

/// <summary>
/// <c>audit --format html</c> as a reader sees it: rendered by headless Chromium, with and without script, asserting
/// what is on the screen, and that the page neither logs an error nor makes a request.
/// </summary>
public sealed partial class HtmlReportTests(Chromium chromium) : IClassFixture<Chromium>, IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("sg-html-");

    public void Dispose() => temp.Delete(recursive: true);

    /// <summary>The bundled examples (three denied, two clean, one skipped) and a StatefulSet with warnings only.</summary>
    private async Task<string> Report(params string[] inputs)
    {
        var (exit, html, error) = await Run(["audit", "--format", "html", .. inputs.Length > 0 ? inputs : [Repository.Examples, ReportFixtures.WarningsOnly]]);
        Assert.True(exit is 0 or 1, error);
        var path = Path.Combine(temp.FullName, $"report-{Guid.NewGuid():N}.html");
        await File.WriteAllTextAsync(path, html);
        return path;
    }

    [Fact]
    public async Task The_page_shows_the_counts_the_charts_and_each_denial_and_makes_no_request()
    {
        var file = await Report();
        await using var page = await chromium.OpenAsync(file);

        Assert.Equal("StatefulGuard audit: 3 of 7 StatefulSets would be denied", await page.Page.GetTitleAsync());
        Assert.Equal(("7", "3", "1", "2", "1"),
            (await page.Text("#count-total"), await page.Text("#count-deny"), await page.Text("#count-warn"), await page.Text("#count-ok"), await page.Text("#count-skip")));
        Assert.True(await page.Visible("svg rect.bar") >= 4, "the charts draw a bar per rule and per severity");
        Assert.Equal(4, await page.Visible("article.sts"));

        var denial = await page.Read(
            "[...document.querySelectorAll('article.sts')].find(a => a.querySelector('h3').textContent === 'StatefulSet coordination/zk').querySelector('tr[data-kind=deny]')");
        Assert.Contains("Service \"zk-hs\" named by spec.serviceName was not found in the input (namespace \"coordination\")", denial);
        Assert.Contains("fix: add a headless Service \"zk-hs\"", denial);
        Assert.Contains("headless-service", denial);

        // Rule links lead somewhere in the page; the rule's section links to its documentation.
        var broken = await page.Eval<string[]>("[...document.querySelectorAll('a[href^=\"#\"]')].map(a => a.getAttribute('href')).filter(h => !document.getElementById(h.slice(1)))");
        Assert.Empty(broken);
        Assert.Equal("https://github.com/statefulguard/statefulguard/blob/main/docs/rules.md#headless-service",
            await page.Eval<string>("document.querySelector('#rule-headless-service a').href"));

        Assert.Empty(page.Errors);
        Assert.Equal([new Uri(file).AbsoluteUri], page.Requests);
    }

    [Fact]
    public async Task Filters_hide_the_warnings_and_narrow_to_a_rule_severity_or_namespace()
    {
        await using var page = await chromium.OpenAsync(await Report());
        Assert.Equal("4 of 4 StatefulSets with findings shown", await page.Text("#shown"));
        Assert.Equal(7, await page.Visible("tr[data-kind=warn]"));

        await page.Page.ClickAsync("#show-warn");
        await page.Page.WaitForFunctionAsync("() => document.getElementById('shown').textContent.startsWith('3 of 4')");
        Assert.Equal(0, await page.Visible("tr[data-kind=warn]"));
        Assert.Equal(3, await page.Visible("tr[data-kind=deny]"));
        Assert.Equal(0, await page.Visible("article.sts[data-ns=search]")); // warnings only: nothing left to show

        await page.Page.ClickAsync("#show-warn");
        await page.Page.SelectAsync("#filter-rule", "image-tag");
        await page.Page.WaitForFunctionAsync("() => document.getElementById('shown').textContent.startsWith('1 of 4')");
        Assert.Equal(1, await page.Visible("article.sts[data-ns=search]"));

        await page.Page.SelectAsync("#filter-rule", "");
        await page.Page.SelectAsync("#filter-severity", "high");
        await page.Page.WaitForFunctionAsync("() => document.getElementById('shown').textContent.startsWith('3 of 4')");
        Assert.Equal(0, await page.Visible("tr[data-severity=medium]"));

        await page.Page.SelectAsync("#filter-namespace", "cache");
        await page.Page.WaitForFunctionAsync("() => document.getElementById('shown').textContent.startsWith('1 of 4')");
        Assert.Equal("StatefulSet cache/redis", await page.Eval<string>("[...document.querySelectorAll('article.sts')].find(a => a.getClientRects().length).querySelector('h3').textContent"));

        await page.Page.ClickAsync("#filters button[type=reset]");
        await page.Page.WaitForFunctionAsync("() => document.getElementById('shown').textContent.startsWith('4 of 4')");
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task Without_script_everything_is_readable_and_no_dead_filter_is_offered()
    {
        await using var page = await chromium.OpenAsync(await Report(), javaScript: false);

        Assert.Equal(0, await page.Visible("#filters"));
        Assert.Equal("3", await page.Text("#count-deny"));
        Assert.Equal(4, await page.Visible("article.sts"));
        Assert.Equal(await page.Eval<int>("document.querySelectorAll('tr[data-kind]').length"), await page.Visible("tr[data-kind]"));
        Assert.True(await page.Visible("svg rect.bar") >= 4);
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task Markup_from_the_input_is_shown_as_text_and_never_runs()
    {
        await using var page = await chromium.OpenAsync(await Report(ReportFixtures.Hostile));

        Assert.Equal(0, await page.Eval<int>("document.images.length"));
        Assert.Contains("Service \"<img src=x onerror=alert(1)>|**bold**|`tick`]]>\" named by spec.serviceName was not found",
            await page.Read("document.querySelector('tr[data-kind=deny]')"));
        Assert.Empty(page.Errors); // no dialog, no script error
    }

    [Fact]
    public async Task Five_thousand_statefulsets_render_and_filter()
    {
        var file = await Report(Many(temp.FullName, 5000));
        await using var page = await chromium.OpenAsync(file);

        Assert.Equal(("5000", "5000"), (await page.Text("#count-total"), await page.Text("#count-deny")));
        Assert.Equal("5000 of 5000 StatefulSets with findings shown", await page.Text("#shown"));
        await page.Page.SelectAsync("#filter-namespace", "team-7");
        await page.Page.WaitForFunctionAsync("() => document.getElementById('shown').textContent.startsWith('500 of 5000')");
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task The_content_security_policy_allows_exactly_the_page_s_own_style_and_script()
    {
        var html = await File.ReadAllTextAsync(await Report());

        var policy = Csp().Match(html).Groups[1].Value;
        var style = Block("style").Match(html).Groups[1].Value;
        var script = Block("script").Match(html).Groups[1].Value;
        Assert.Equal($"default-src 'none'; style-src '{Sha(style)}'; script-src '{Sha(script)}'; img-src data:; base-uri 'none'; form-action 'none'", policy);
        Assert.Single(Block("script").Matches(html));
        Assert.DoesNotMatch(@"(?i)\b(src|href)=""(https?:)?//(?!github\.com/statefulguard/)", html); // links to the docs only; nothing loaded
        Assert.DoesNotContain(" style=\"", html); // inline style attributes would need 'unsafe-inline'
    }

    private static string Sha(string block) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(block)));

    private static Regex Block(string tag) => new($"<{tag}>(.*?)</{tag}>", RegexOptions.Singleline);

    [GeneratedRegex("<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">")]
    private static partial Regex Csp();
}
