using System.Text;
using System.Text.Json.Nodes;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Admission;

/// <summary>
/// Thousands of real AdmissionReviews, randomly broken (fields dropped, retyped, duplicated, truncated,
/// blown up): never a 5xx, never a hang, and the server answers correctly afterwards. Deterministic: the seed
/// of any failure is in its message.
/// </summary>
public sealed class FuzzTests : IAsyncLifetime
{
    private const int Iterations = 3000;
    private WebhookFactory webhook = null!;

    public Task InitializeAsync()
    {
        webhook = new WebhookFactory(null);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await webhook.DisposeAsync();

    [Fact]
    public async Task Broken_reviews_never_get_a_5xx_or_hang()
    {
        var bases = new[]
        {
            AdmissionReviews.Create(Fixtures.StatefulSet("fuzz")),
            AdmissionReviews.Update(Fixtures.StatefulSet("fuzz"), Fixtures.Stored(Fixtures.StatefulSet("fuzz"))),
            AdmissionReviews.Create(MutationFixtures.Created("postgres", "fuzz")),
            AdmissionReviews.DeleteService(Fixtures.HeadlessService("fuzz")),
        };
        using var client = webhook.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(10);
        var statuses = new Dictionary<int, int>();

        for (var seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            var body = Break(bases[random.Next(bases.Length)].DeepClone().AsObject(), random);
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(new Uri(seed % 2 == 0 ? "/validate" : "/mutate", UriKind.Relative), content);

            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"seed {seed}: HTTP {status} {await response.Content.ReadAsStringAsync()}");
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
        }

        // The corpus really exercised both paths: many rejected, many answered.
        Assert.True(statuses.GetValueOrDefault(200) > Iterations / 10, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(400) > Iterations / 10, string.Join(", ", statuses));

        var after = (await webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet("fuzz")))).AssertWellFormed();
        Assert.Contains(after.Warnings, w => w.Contains("cannot verify", StringComparison.Ordinal));
    }

    private static byte[] Break(JsonObject review, Random random)
    {
        var mutations = random.Next(1, 4);
        for (var i = 0; i < mutations; i++)
        {
            var nodes = Walk(review).ToList();
            var (parent, key, _) = nodes[random.Next(nodes.Count)];
            switch (random.Next(7))
            {
                case 0 when parent is JsonObject obj && key is string name:
                    obj.Remove(name);
                    break;
                case 1:
                    Set(parent, key, random.Next(6) switch
                    {
                        0 => JsonValue.Create(random.Next()),
                        1 => JsonValue.Create("x"),
                        2 => JsonValue.Create(true),
                        3 => null,
                        4 => new JsonArray(JsonValue.Create(1), JsonValue.Create("two")),
                        _ => new JsonObject { ["unexpected"] = 1 },
                    });
                    break;
                case 2:
                    Set(parent, key, JsonValue.Create(new string('A', random.Next(1, 200_000))));
                    break;
                case 3:
                    Set(parent, key, new JsonArray(Enumerable.Range(0, random.Next(1, 20_000)).Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()));
                    break;
                case 4:
                    var deep = (JsonNode)new JsonArray();
                    for (var d = 0; d < random.Next(10, 60); d++)
                    {
                        deep = new JsonObject { ["n"] = deep };
                    }

                    Set(parent, key, deep);
                    break;
            }
        }

        var text = review.ToJsonString();
        return random.Next(8) switch
        {
            0 => Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]), // truncated
            1 => Encoding.UTF8.GetBytes(text.Replace("\"operation\":", "\"operation\":\"CREATE\",\"operation\":", StringComparison.Ordinal)), // duplicated key
            2 => Encoding.UTF8.GetBytes(new string('[', random.Next(100, 5000))), // nesting bomb
            _ => Encoding.UTF8.GetBytes(text),
        };
    }

    private static void Set(JsonNode parent, object key, JsonNode? value)
    {
        if (parent is JsonObject obj)
        {
            obj[(string)key] = value;
        }
        else if (parent is JsonArray array)
        {
            array[(int)key] = value;
        }
    }

    private static IEnumerable<(JsonNode Parent, object Key, JsonNode? Value)> Walk(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToArray())
                {
                    yield return (obj, key, value);
                    if (value is not null)
                    {
                        foreach (var inner in Walk(value))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    yield return (array, i, array[i]);
                    if (array[i] is { } item)
                    {
                        foreach (var inner in Walk(item))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
        }
    }
}
