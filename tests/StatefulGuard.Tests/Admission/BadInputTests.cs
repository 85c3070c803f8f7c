using System.Text;
using System.Text.Json.Nodes;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Admission;

/// <summary>Input that is not a readable AdmissionReview gets a 4xx with a message; the server keeps answering.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private WebhookFactory webhook = null!;

    public Task InitializeAsync()
    {
        webhook = new WebhookFactory(null, new Dictionary<string, string?> { ["StatefulGuard:MaxRequestBodyBytes"] = "1048576" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await webhook.DisposeAsync();

    public static TheoryData<string, int, string> Cases()
    {
        var good = AdmissionReviews.Create(Fixtures.StatefulSet("bad-input")).ToJsonString();
        return new TheoryData<string, int, string>
        {
            { "empty body", 400, "" },
            { "not JSON", 400, "hello" },
            { "truncated", 400, good[..(good.Length / 2)] },
            { "JSON null", 400, "null" },
            { "JSON array", 400, "[]" },
            { "missing request", 400, """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""" },
            { "request null", 400, """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":null}""" },
            { "v1beta1 review", 400, good.Replace("admission.k8s.io/v1", "admission.k8s.io/v1beta1", StringComparison.Ordinal) },
            { "wrong kind", 400, good.Replace("\"AdmissionReview\"", "\"ConversionReview\"", StringComparison.Ordinal) },
            { "uid missing", 400, Mutate(good, r => r["request"]!.AsObject().Remove("uid")) },
            { "uid is a number", 400, Mutate(good, r => r["request"]!["uid"] = 42) },
            { "dryRun is a string", 400, Mutate(good, r => r["request"]!["dryRun"] = "yes") },
            { "unknown operation", 400, Mutate(good, r => r["request"]!["operation"] = "PATCH") },
            { "object missing on CREATE", 400, Mutate(good, r => r["request"]!.AsObject().Remove("object")) },
            { "object is a string", 400, Mutate(good, r => r["request"]!["object"] = "statefulset") },
            { "replicas is a string", 400, Mutate(good, r => r["request"]!["object"]!["spec"]!["replicas"] = "three") },
            { "containers is an object", 400, Mutate(good, r => r["request"]!["object"]!["spec"]!["template"]!["spec"]!["containers"] = new JsonObject()) },
            { "labels is an array", 400, Mutate(good, r => r["request"]!["object"]!["spec"]!["template"]!["metadata"]!["labels"] = new JsonArray("a")) },
            { "duplicate keys", 400, good.Replace("\"operation\":\"CREATE\"", "\"operation\":\"CREATE\",\"operation\":\"DELETE\"", StringComparison.Ordinal) },
            { "duplicate keys in an unknown envelope field", 400, good.Replace("\"operation\":\"CREATE\"", "\"operation\":\"CREATE\",\"future\":1,\"future\":2", StringComparison.Ordinal) },
            { "duplicate keys inside the object", 400, good.Replace("\"generation\":1", "\"generation\":1,\"generation\":2", StringComparison.Ordinal) },
            { "duplicate keys in the object's labels", 400, Mutate(good, r => r["request"]!["object"]!["metadata"]!["labels"] = new JsonObject { ["app"] = "x" }).Replace("\"app\":\"x\"", "\"app\":\"x\",\"app\":\"y\"", StringComparison.Ordinal) },
            { "deep nesting", 400, Nested(100_000) },
            { "deep nesting inside object", 400, good.Replace("\"generation\":1", "\"generation\":1,\"deep\":" + NestedObject(200), StringComparison.Ordinal) },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_a_4xx_with_a_message_and_the_server_keeps_answering(string name, int expected, string body)
    {
        var (status, response) = await webhook.PostRawAsync("/validate", Encoding.UTF8.GetBytes(body));

        Assert.True(status == expected, $"{name}: HTTP {status} {response}");
        var error = JsonNode.Parse(response)!["error"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(error));
        await AssertStillAnswering();
    }

    [Theory]
    [InlineData("\"serviceName\":\"", "$.request.object.spec.serviceName is not valid UTF-8")]
    [InlineData("\"uid\":\"", "$.request.uid is not valid UTF-8")]
    public async Task Invalid_utf8_is_rejected(string before, string message)
    {
        var text = AdmissionReviews.Create(Fixtures.StatefulSet("bad-input")).ToJsonString();
        var good = Encoding.UTF8.GetBytes(text);
        var index = Encoding.UTF8.GetByteCount(text[..(text.IndexOf(before, StringComparison.Ordinal) + before.Length)]);
        Assert.True(index > before.Length, before);
        good[index] = 0xC3; // starts a two-byte sequence
        good[index + 1] = 0x28; // that is not continued

        var (status, response) = await webhook.PostRawAsync("/validate", good);

        Assert.Equal(400, status);
        Assert.Contains(message, JsonNode.Parse(response)!["error"]!.GetValue<string>());
        await AssertStillAnswering();
    }

    [Fact]
    public async Task Body_over_the_limit_gets_413()
    {
        var review = AdmissionReviews.Create(Fixtures.StatefulSet("bad-input"));
        review["request"]!["object"]!["metadata"]!["annotations"] = new JsonObject { ["big"] = new string('x', 1_100_000) };

        var (status, response) = await webhook.PostRawAsync("/mutate", Encoding.UTF8.GetBytes(review.ToJsonString()));

        Assert.Equal(413, status);
        Assert.Contains("StatefulGuard:MaxRequestBodyBytes", response);
        await AssertStillAnswering();
    }

    [Theory]
    [InlineData(300_000, false, 200)]
    [InlineData(1_100_000, false, 413)]
    [InlineData(300_000, true, 200)] // declared: read into a buffer that starts smaller and grows
    public async Task A_body_arriving_in_pieces_is_read_whole_up_to_the_limit(int annotationLength, bool declareLength, int expected)
    {
        var review = AdmissionReviews.Create(Fixtures.StatefulSet("bad-input"));
        review["request"]!["object"]!["metadata"]!["annotations"] = new JsonObject { ["big"] = new string('x', annotationLength) };
        var uid = review["request"]!["uid"]!.GetValue<string>();
        using var client = webhook.CreateClient();
        using var content = new PiecesContent(Encoding.UTF8.GetBytes(review.ToJsonString()), 7_000, declareLength);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync(new Uri("/mutate", UriKind.Relative), content);

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(expected, (int)response.StatusCode);
        if (expected == 200)
        {
            Assert.Equal(uid, body["response"]!["uid"]!.GetValue<string>());
            Assert.True(body["response"]!["allowed"]!.GetValue<bool>());
            Assert.Equal("JSONPatch", body["response"]!["patchType"]!.GetValue<string>());
        }
        else
        {
            Assert.Contains("StatefulGuard:MaxRequestBodyBytes", body["error"]!.GetValue<string>());
        }

        await AssertStillAnswering();
    }

    [Fact]
    public async Task Non_json_content_type_gets_415()
    {
        var body = Encoding.UTF8.GetBytes(AdmissionReviews.Create(Fixtures.StatefulSet("bad-input")).ToJsonString());

        var (status, response) = await webhook.PostRawAsync("/validate", body, "text/plain");

        Assert.Equal(415, status);
        Assert.Contains("application/json", response);
    }

    [Fact]
    public async Task Get_on_an_admission_endpoint_is_405()
    {
        using var client = webhook.CreateClient();
        using var response = await client.GetAsync(new Uri("/validate", UriKind.Relative));
        Assert.Equal(405, (int)response.StatusCode);
    }

    private async Task AssertStillAnswering()
    {
        var result = await webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet("bad-input")));
        result.AssertWellFormed();
        Assert.True(result.Allowed); // no cluster: the Service cannot be verified, which warns by default
        Assert.Contains(result.Warnings, w => w.Contains("cannot verify", StringComparison.Ordinal));
    }

    private static string Mutate(string json, Action<JsonObject> change)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        change(node);
        return node.ToJsonString();
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private static string NestedObject(int depth)
    {
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            text.Append("{\"a\":");
        }

        text.Append("\"x\"").Append('}', depth);
        return text.ToString();
    }

    /// <summary>A body written in pieces with a flush after each; without a declared length it goes chunked, as a streaming client sends it.</summary>
    private sealed class PiecesContent(byte[] body, int pieceLength, bool declareLength) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var offset = 0; offset < body.Length; offset += pieceLength)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(pieceLength, body.Length - offset)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = declareLength ? body.Length : 0;
            return declareLength;
        }
    }
}
