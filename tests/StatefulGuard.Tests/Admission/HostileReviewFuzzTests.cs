using System.Text;
using System.Text.Json.Nodes;
using StatefulGuard.Tests.Support;
using Xunit.Abstractions;

namespace StatefulGuard.Tests.Admission;

/// <summary>
/// Hostile AdmissionReviews (<see cref="HostileReviews"/>, fixed seeds) against /validate and /mutate: never a 5xx;
/// every 200 passes the apiserver's checks; no rule fails to evaluate; every patch applies to the object as sent
/// with an independent RFC 6902 implementation, keeps every user value, and mutating the result again patches
/// nothing. <c>bench/fuzz.sh</c> runs the same test over 100,000 seeds (STATEFULGUARD_FUZZ_CASES).
/// </summary>
public sealed class HostileReviewFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private WebhookFactory webhook = null!;

    public Task InitializeAsync()
    {
        webhook = new WebhookFactory(null);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await webhook.DisposeAsync();

    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("STATEFULGUARD_FUZZ_CASES"), out var n) ? n : 2500;

    private static int FirstSeed => int.TryParse(Environment.GetEnvironmentVariable("STATEFULGUARD_FUZZ_SEED"), out var n) ? n : 0;

    [Fact]
    public async Task Hostile_reviews_get_well_formed_answers_and_patches_that_apply()
    {
        using var client = webhook.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        var failures = new Dictionary<string, List<string>>();
        var statuses = new Dictionary<int, int>();
        var patchesChecked = 0;

        void Fail(string kind, int seed, string detail) =>
            (failures.TryGetValue(kind, out var list) ? list : failures[kind] = []).Add($"seed {seed}: {detail}");

        for (var seed = FirstSeed; seed < FirstSeed + Cases; seed++)
        {
            var c = HostileReviews.Make(seed);
            var (status, body) = await PostAsync(client, c.Endpoint, c.Body);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (status >= 500)
            {
                Fail("5xx", seed, $"{c.Endpoint} HTTP {status} {Clip(body)}");
                continue;
            }

            if (status != 200)
            {
                if (!body.Contains("\"error\"", StringComparison.Ordinal))
                {
                    Fail("error without a JSON message", seed, $"HTTP {status} {Clip(body)}");
                }

                continue;
            }

            var request = ParseLeniently(c.Body);
            AdmissionResult result;
            try
            {
                result = new AdmissionResult(status, body, request ?? new JsonObject()).AssertWellFormed(validating: c.Endpoint == "/validate");
            }
            catch (Exception ex) when (ex is Xunit.Sdk.XunitException or NullReferenceException or InvalidOperationException)
            {
                Fail("malformed answer", seed, $"{ex.Message} {ex.StackTrace} {Clip(body)}");
                continue;
            }

            if (result.Warnings.Append(result.Message ?? "").Any(w => w.Contains("failed, nothing injected", StringComparison.Ordinal) || w.Contains("could not evaluate", StringComparison.Ordinal)))
            {
                Fail("rule failed to evaluate", seed, string.Join(" | ", result.Warnings.Append(result.Message ?? "")));
            }

            if (result.PatchJson is not { } patch || !c.ObjectIntact || c.SentObject is null)
            {
                continue;
            }

            patchesChecked++;
            JsonObject patched;
            try
            {
                patched = MutationFixtures.ApplyPatch(c.SentObject, patch);
            }
            catch (Exception ex)
            {
                Fail("patch does not apply", seed, $"{ex.Message}: {Clip(patch)}");
                continue;
            }

            try
            {
                MutationFixtures.AssertKeepsUserValues(c.SentObject, patched);
            }
            catch (Xunit.Sdk.XunitException ex)
            {
                Fail("user value changed", seed, $"{ex.Message}: {Clip(patch)}");
                continue;
            }

            var again = AdmissionReviews.Create(Fixtures.StatefulSet("fuzz"));
            again["request"]!["object"] = patched;
            var (status2, body2) = await PostAsync(client, "/mutate", Encoding.UTF8.GetBytes(again.ToJsonString()));
            var second = status2 == 200 ? new AdmissionResult(status2, body2, again) : null;
            if (second?.PatchJson is { } repatch)
            {
                Fail("re-mutation patches again", seed, Clip(repatch));
            }
            else if (status2 != 200)
            {
                Fail("re-mutation refused", seed, $"HTTP {status2} {Clip(body2)}");
            }
        }

        output.WriteLine($"{Cases} cases from seed {FirstSeed}: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"HTTP {s.Key}: {s.Value}"))}; {patchesChecked} patches applied and re-mutated");
        foreach (var (kind, list) in failures)
        {
            output.WriteLine($"{kind}: {list.Count}");
        }

        Assert.True(failures.Count == 0,
            string.Join("\n", failures.Select(f => $"{f.Key}: {f.Value.Count}, e.g.\n  " + string.Join("\n  ", f.Value.Take(5)))));
        Assert.True(statuses.GetValueOrDefault(200) > Cases / 3, string.Join(", ", statuses));
        Assert.True(patchesChecked > Cases / 10, $"only {patchesChecked} patches checked");
    }

    private static async Task<(int Status, string Body)> PostAsync(HttpClient client, string endpoint, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(new Uri(endpoint, UriKind.Relative), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The request as sent, for the uid check; duplicate keys keep the last value as a JSON reader does.</summary>
    private static JsonObject? ParseLeniently(byte[] body)
    {
        try
        {
            return JsonNode.Parse(Encoding.UTF8.GetString(body), documentOptions: new System.Text.Json.JsonDocumentOptions { AllowDuplicateProperties = true, MaxDepth = 256 }) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string Clip(string text) => text.Length > 400 ? text[..400] + "…" : text;
}
