using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PuppeteerSharp;

namespace StatefulGuard.Bench;

/// <summary>
/// <c>html-render --file REPORT.html [--runs N] [--chromium PATH] [--without CSS-DECLARATION]</c>: loads an HTML report in
/// headless Chromium N times (a fresh page each) and prints the median and worst of: DOMContentLoaded, load, first
/// contentful paint, a jump to the end of the page until painted, and a namespace filter applied until painted. With
/// <c>--without</c>, that CSS declaration is removed from the page first (and its CSP hash recomputed), to measure what
/// one declaration is worth.
/// </summary>
internal static partial class HtmlRender
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? file = null, chromium = null, without = null;
        var runs = 5;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--file": file = args[i + 1]; break;
                case "--runs": runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--chromium": chromium = args[i + 1]; break;
                case "--without": without = args[i + 1]; break;
            }
        }

        if (file is null)
        {
            Console.Error.WriteLine("html-render: --file REPORT.html is required");
            return 2;
        }

        if (without is not null)
        {
            file = Without(file, without);
        }

        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = chromium ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-extensions", "--no-first-run"],
        });

        var samples = new List<double[]>();
        for (var run = 0; run < runs; run++)
        {
            await using var page = await browser.NewPageAsync();
            await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 });
            await page.GoToAsync(new Uri(Path.GetFullPath(file)).AbsoluteUri, new NavigationOptions { WaitUntil = [WaitUntilNavigation.Load], Timeout = 120_000 });
            samples.Add(await page.EvaluateExpressionAsync<double[]>("""
                (async () => {
                  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                  const nav = performance.getEntriesByType('navigation')[0];
                  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                  let t = performance.now(); window.scrollTo(0, document.documentElement.scrollHeight); await frame(); const end = performance.now() - t;
                  window.scrollTo(0, 0); await frame();
                  const select = document.getElementById('filter-namespace');
                  t = performance.now();
                  if (select && select.options.length > 1) { select.value = select.options[1].value; select.dispatchEvent(new Event('change', { bubbles: true })); }
                  await frame(); const filter = performance.now() - t;
                  return [nav.domContentLoadedEventEnd, nav.loadEventEnd, fcp ? fcp.startTime : -1, end, filter];
                })()
                """));
        }

        var size = new FileInfo(file).Length;
        Console.WriteLine($"file {file}: {size / 1024.0 / 1024.0:0.00} MB, {runs} runs (median / worst, ms)");
        string[] names = ["DOMContentLoaded", "load", "first contentful paint", "jump to the end, painted", "namespace filter, painted"];
        for (var m = 0; m < names.Length; m++)
        {
            var values = samples.Select(s => s[m]).Order().ToArray();
            Console.WriteLine($"  {names[m],-24} {values[values.Length / 2],8:0} {values[^1],8:0}");
        }

        return 0;
    }

    /// <summary>A copy of the report without one CSS declaration, its style hash in the CSP updated so the style still applies.</summary>
    private static string Without(string file, string declaration)
    {
        var html = File.ReadAllText(file);
        var style = StyleBlock().Match(html).Groups[1].Value;
        var changed = style.Replace(declaration, "", StringComparison.Ordinal);
        if (changed == style)
        {
            throw new InvalidOperationException($"the report's style has no '{declaration}'");
        }

        html = html.Replace(style, changed, StringComparison.Ordinal).Replace(Hash(style), Hash(changed), StringComparison.Ordinal);
        var copy = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, Path.GetFileNameWithoutExtension(file) + ".without.html");
        File.WriteAllText(copy, html);
        return copy;
    }

    private static string Hash(string block) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(block)));

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleBlock();
}
