using System.Text;
using System.Text.Json;
using k8s.Models;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Tests.Engine;

public sealed class SharedStringsTests
{
    private static readonly JsonSerializerOptions Plain = new();

    [Fact]
    public void The_same_text_reads_as_one_instance_in_every_object_values_and_keys_alike()
    {
        var options = Options(new SharedStrings());
        const string Json = """{"metadata":{"name":"web","labels":{"app":"web","tier":"db"}},"spec":{"containers":[{"name":"web","image":"nginx:1.27","imagePullPolicy":"IfNotPresent"}]}}""";

        var first = JsonSerializer.Deserialize<V1PodTemplateSpec>(Json, options)!;
        var second = JsonSerializer.Deserialize<V1PodTemplateSpec>(Json, options)!;

        Assert.Same(first.Metadata.Name, first.Metadata.Labels["app"]);
        Assert.Same(first.Metadata.Name, second.Spec.Containers[0].Name);
        Assert.Same(first.Spec.Containers[0].ImagePullPolicy, second.Spec.Containers[0].ImagePullPolicy);
        Assert.Same(first.Metadata.Labels.Keys.First(), second.Metadata.Labels.Keys.First());
        Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<V1PodTemplateSpec>(Json, Plain), Plain), JsonSerializer.Serialize(second, options));
    }

    [Theory]
    [InlineData("\"web\"")]
    [InlineData("\"\"")]
    [InlineData("\"w\\u0065b\"")]
    [InlineData("\"caf\u00e9 \u2603 \ud83d\ude00\"")]
    [InlineData("\"line\\nbreak \\\"quoted\\\"\"")]
    [InlineData("\"a text longer than the longest shared text, read as the serializer reads it, byte for byte\"")]
    public void Reads_every_text_as_the_serializer_does(string json)
    {
        var options = Options(new SharedStrings());

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(JsonSerializer.Deserialize<string>(json, Plain), JsonSerializer.Deserialize<string>(json, options));
            Assert.Equal(
                JsonSerializer.Deserialize<Dictionary<string, string>>($$"""{{{json}}:{{json}}}""", Plain),
                JsonSerializer.Deserialize<Dictionary<string, string>>($$"""{{{json}}:{{json}}}""", options));
        }
    }

    [Theory]
    [InlineData("""{"name":1}""")]
    [InlineData("""{"name":true}""")]
    [InlineData("""{"name":{}}""")]
    [InlineData("""{"name":["web"]}""")]
    public void A_value_that_is_not_text_fails_as_with_the_serializer(string json)
    {
        var ours = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<V1ObjectMeta>(json, Options(new SharedStrings())));
        var theirs = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<V1ObjectMeta>(json, Plain));

        Assert.Equal(theirs.Message, ours.Message);
        Assert.Equal("$.name", ours.Path);
    }

    [Fact]
    public void Text_that_is_not_utf8_is_an_error_even_after_a_valid_text_took_its_slot()
    {
        var shared = new SharedStrings();
        var options = Options(shared);
        Assert.Equal("ab", JsonSerializer.Deserialize<string>("\"ab\""u8, options));

        byte[] invalid = [(byte)'"', (byte)'a', 0xC3, (byte)'"'];

        Assert.ThrowsAny<Exception>(() => JsonSerializer.Deserialize<string>(invalid, options));
        Assert.ThrowsAny<Exception>(() => JsonSerializer.Deserialize<string>(invalid, Plain));
    }

    [Fact]
    public void More_distinct_texts_than_slots_displace_each_other_and_every_read_is_right()
    {
        var options = Options(new SharedStrings());
        var texts = Enumerable.Range(0, SharedStrings.Slots * 3).Select(i => $"value-{i}").ToArray();

        foreach (var round in new[] { 0, 1 })
        {
            foreach (var text in texts)
            {
                Assert.Equal(text, JsonSerializer.Deserialize<string>($"\"{text}\"", options));
            }
        }

        // A text read twice in a row is shared, whatever came before.
        var again = JsonSerializer.Deserialize<string>("\"value-7\"", options);
        Assert.Same(again, JsonSerializer.Deserialize<string>("\"value-7\"", options));
    }

    [Fact]
    public void Two_frequent_texts_whose_hashes_meet_both_stay_shared()
    {
        var options = Options(new SharedStrings());
        var bySlot = new Dictionary<int, string>();
        string first = "", second = "";
        for (var i = 0; ; i++)
        {
            var text = $"label-{i}";
            var slot = SharedStrings.Slot(Encoding.UTF8.GetBytes(text));
            if (bySlot.TryGetValue(slot, out var other))
            {
                (first, second) = (other, text);
                break;
            }

            bySlot[slot] = text;
        }

        var a = JsonSerializer.Deserialize<string>($"\"{first}\"", options);
        var b = JsonSerializer.Deserialize<string>($"\"{second}\"", options);
        for (var round = 0; round < 3; round++)
        {
            Assert.Same(a, JsonSerializer.Deserialize<string>($"\"{first}\"", options));
            Assert.Same(b, JsonSerializer.Deserialize<string>($"\"{second}\"", options));
        }
    }

    [Fact]
    public void Readers_racing_on_colliding_texts_each_get_their_own_text()
    {
        var options = Options(new SharedStrings());
        var texts = Enumerable.Range(0, SharedStrings.Slots * 2).Select(i => Encoding.UTF8.GetBytes($"\"t{i}\"")).ToArray();

        Parallel.For(0, texts.Length * 4, i =>
        {
            var json = texts[i % texts.Length];
            Assert.Equal(Encoding.UTF8.GetString(json[1..^1]), JsonSerializer.Deserialize<string>(json, options));
        });
    }

    [Fact]
    public void The_webhooks_serializer_and_the_envelope_share_the_texts_but_not_the_requests_uid()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"7d1b6a3e-2f4c-4b8e-9a51-3c6e0f2d8b17","namespace":"shop",
             "kind":{"group":"apps","version":"v1","kind":"StatefulSet"},"operation":"CREATE","object":{"metadata":{"name":"web","namespace":"shop"}}}}
            """);
        var review = StatefulGuard.Core.Admission.AdmissionReviewReader.Parse(body);

        var statefulSet = StatefulGuard.Core.Admission.AdmissionObjects.Deserialize<V1StatefulSet>(review.Request!.Object!.Value);

        Assert.Same(review.Request.Namespace, statefulSet.Metadata.NamespaceProperty);
        Assert.Same(review.Request.Operation, KubeJson.FromUtf8<string>("\"CREATE\""u8));
        Assert.NotSame(review.Request.Uid, StatefulGuard.Core.Admission.AdmissionReviewReader.Parse(body).Request!.Uid);
    }

    private static JsonSerializerOptions Options(SharedStrings shared) => new() { Converters = { shared } };
}
