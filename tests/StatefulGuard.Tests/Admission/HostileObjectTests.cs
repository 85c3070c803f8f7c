using System.Text;
using System.Text.Json.Nodes;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Admission;

/// <summary>
/// Objects no apiserver sends but a fuzzer (or a broken client) does: every answer is a well-formed decision or a
/// 4xx with a JSON message, every patch applies to the object as sent and keeps the user's values to the byte.
/// </summary>
public sealed class HostileObjectTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private WebhookFactory Webhook => cluster.Webhook;

    private async Task<(AdmissionResult Result, JsonObject Patched)> MutateAsync(JsonObject sts)
    {
        var review = AdmissionReviews.Create(MutationFixtures.Created("postgres"));
        review["request"]!["object"] = sts;
        var result = (await Webhook.PostAsync("/mutate", review)).AssertWellFormed(validating: false);
        Assert.DoesNotContain(result.Warnings, w => w.Contains("failed", StringComparison.Ordinal));
        var patched = result.PatchJson is { } patch ? MutationFixtures.ApplyPatch(sts, patch) : sts;
        MutationFixtures.AssertKeepsUserValues(sts, patched);
        return (result, patched);
    }

    [Fact]
    public async Task An_object_without_metadata_gets_a_patch_that_creates_it()
    {
        var sts = MutationFixtures.Created("postgres");
        sts.Remove("metadata");

        var (result, patched) = await MutateAsync(sts);

        Assert.Contains("\"path\":\"/metadata\"", result.PatchJson, StringComparison.Ordinal);
        Assert.NotNull(patched["metadata"]!["annotations"]!["statefulguard.io/injected"]);
    }

    [Fact]
    public async Task Null_list_elements_and_null_objects_are_absent_to_every_rule()
    {
        var sts = MutationFixtures.Created("postgres");
        var pod = sts["spec"]!["template"]!["spec"]!.AsObject();
        pod["containers"]!.AsArray().Insert(0, null);
        pod["initContainers"]!.AsArray().Add(null);
        pod["volumes"] = new JsonArray(null, new JsonObject { ["name"] = "scratch", ["emptyDir"] = new JsonObject() });
        pod["securityContext"] = null;
        pod["containers"]![1]!["volumeMounts"]!.AsArray().Add(null);
        pod["containers"]![1]!["ports"]!.AsArray().Add(null);
        sts["spec"]!["volumeClaimTemplates"]!.AsArray().Add(null);

        var (_, patched) = await MutateAsync(sts);
        Assert.NotNull(patched["spec"]!["template"]!["spec"]!["containers"]![1]!["startupProbe"]);

        var review = AdmissionReviews.Create(MutationFixtures.Created("postgres"));
        review["request"]!["object"] = sts.DeepClone();
        var validated = (await Webhook.PostAsync("/validate", review)).AssertWellFormed();
        Assert.DoesNotContain(validated.Warnings.Append(validated.Message ?? ""), w => w.Contains("could not evaluate", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"80 \"")]
    [InlineData("\"080\"")]
    [InlineData("\"postgres\"")]
    [InlineData("5432")]
    public async Task An_int_or_string_the_user_set_keeps_its_json_type_and_text(string port)
    {
        var sts = MutationFixtures.Created("postgres");
        var container = sts["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();
        container["livenessProbe"] = JsonNode.Parse($$"""{"tcpSocket":{"port":{{port}}},"periodSeconds":10,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":3}""");

        var (result, patched) = await MutateAsync(sts);

        Assert.NotNull(result.PatchJson);
        Assert.Equal(port, patched["spec"]!["template"]!["spec"]!["containers"]![0]!["livenessProbe"]!["tcpSocket"]!["port"]!.ToJsonString());
    }

    [Fact]
    public async Task Invalid_utf8_anywhere_in_the_body_is_a_400_with_a_message()
    {
        var text = AdmissionReviews.Create(MutationFixtures.Created("postgres")).ToJsonString();
        // Inside a value no rule reads.
        var at = text.IndexOf("\"creationTimestamp\":\"", StringComparison.Ordinal) + 21;
        Assert.True(at > 21);
        var body = Encoding.UTF8.GetBytes(text[..at]).Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes(text[at..])).ToArray();

        foreach (var endpoint in new[] { "/validate", "/mutate" })
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var client = Webhook.CreateClient();
            using var response = await client.PostAsync(new Uri(endpoint, UriKind.Relative), content);
            Assert.Equal(400, (int)response.StatusCode);
            Assert.Contains("$.request.object.metadata.creationTimestamp is not valid UTF-8", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("\"uid\":", "request")]
    [InlineData("\"serviceName\":", "spec (read by /validate only: /mutate skips what its rules do not read)")]
    [InlineData("\"image\":", "container")]
    [InlineData("\"app.kubernetes.io/name\":", "labels")]
    public async Task A_key_given_twice_where_the_webhook_reads_is_a_400_also_when_spelled_with_escapes(string key, string where)
    {
        var text = AdmissionReviews.Create(MutationFixtures.Created("postgres")).ToJsonString();
        var at = text.IndexOf(key, StringComparison.Ordinal);
        Assert.True(at > 0, where);
        // The same name again, its first letter escaped: a reader that compares raw bytes would miss it.
        var escaped = "\"\\u" + ((int)key[1]).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + key[2..];
        var body = Encoding.UTF8.GetBytes(text[..at] + escaped + "\"x\"," + text[at..]);

        foreach (var endpoint in where.StartsWith("spec", StringComparison.Ordinal) ? ["/validate"] : new[] { "/validate", "/mutate" })
        {
            var (status, response) = await Webhook.PostRawAsync(endpoint, body);
            Assert.True(status == 400, $"{endpoint} {where}: HTTP {status} {response}");
            Assert.Contains("error", response, StringComparison.Ordinal);
        }
    }
}
