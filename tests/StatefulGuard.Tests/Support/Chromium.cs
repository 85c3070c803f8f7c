using PuppeteerSharp;

namespace StatefulGuard.Tests.Support;

/// <summary>
/// The system's Chromium (Debian's <c>chromium</c> package; <c>.ci/run</c> installs it), driven headless. No browser is
/// downloaded: without one the tests fail and say what to install.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    public IBrowser Browser { get; private set; } = null!;

    public static string Executable =>
        Environment.GetEnvironmentVariable("STATEFULGUARD_CHROMIUM") is { Length: > 0 } configured ? configured
        : Candidates.FirstOrDefault(File.Exists)
          ?? throw new InvalidOperationException(
              "the HTML report tests need Chromium: apt-get install chromium (.ci/run installs it when missing), or set STATEFULGUARD_CHROMIUM to a Chromium or Chrome executable");

    public async Task InitializeAsync() =>
        Browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-extensions", "--no-first-run"],
        });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
            Browser.Dispose();
        }
    }

    /// <summary>Opens a page that records what a reader would not see: console errors, script errors, dialogs and every request.</summary>
    public async Task<WatchedPage> OpenAsync(string file, bool javaScript = true)
    {
        var page = await Browser.NewPageAsync();
        var watched = new WatchedPage(page);
        await page.SetJavaScriptEnabledAsync(javaScript);
        await page.GoToAsync(new Uri(file).AbsoluteUri, new NavigationOptions { WaitUntil = [WaitUntilNavigation.Load] });
        return watched;
    }
}
