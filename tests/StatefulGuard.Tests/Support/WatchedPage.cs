using System.Collections.Concurrent;
using PuppeteerSharp;

namespace StatefulGuard.Tests.Support;

/// <summary>A browser page and what it did besides rendering: console errors, uncaught script errors, dialogs, requests.</summary>
public sealed class WatchedPage : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> errors = new();
    private readonly ConcurrentQueue<string> requests = new();

    public WatchedPage(IPage page)
    {
        Page = page;
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error)
            {
                errors.Enqueue($"console: {e.Message.Text}");
            }
        };
        page.PageError += (_, e) => errors.Enqueue($"script: {e.Message}");
        page.Dialog += async (_, e) =>
        {
            errors.Enqueue($"dialog: {e.Dialog.Message}");
            await e.Dialog.Dismiss();
        };
        page.Request += (_, e) => requests.Enqueue(e.Request.Url);
    }

    public IPage Page { get; }

    public IReadOnlyCollection<string> Errors => errors;

    public IReadOnlyCollection<string> Requests => requests;

    public Task<T> Eval<T>(string script) => Page.EvaluateExpressionAsync<T>(script);

    /// <summary>The text a reader sees in the element (null when there is none).</summary>
    public Task<string?> Text(string selector) =>
        Page.EvaluateFunctionAsync<string?>("s => { const e = document.querySelector(s); return e ? e.innerText : null; }", selector);

    /// <summary>
    /// The text a reader sees in an element once scrolled to it: off-screen sections are not rendered (content-visibility),
    /// so the page is scrolled there and read after the next painted frame.
    /// </summary>
    public Task<string> Read(string elementExpression) =>
        Page.EvaluateExpressionAsync<string>(
            $"(async () => {{ const e = {elementExpression}; e.scrollIntoView(); await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); return e.innerText; }})()");

    /// <summary>How many elements match and are rendered (hidden ones and those inside hidden ones are not).</summary>
    public Task<int> Visible(string selector) =>
        Page.EvaluateFunctionAsync<int>("s => [...document.querySelectorAll(s)].filter(e => e.getClientRects().length > 0).length", selector);

    public async ValueTask DisposeAsync() => await Page.CloseAsync();
}
