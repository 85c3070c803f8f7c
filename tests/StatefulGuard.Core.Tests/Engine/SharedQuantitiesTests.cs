using System.Text;
using System.Text.Json;
using k8s.Models;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Tests.Engine;

public sealed class SharedQuantitiesTests
{
    [Theory]
    [InlineData("\"500m\"", "500m")]
    [InlineData("\"1.5Gi\"", "1536Mi")]
    [InlineData("\"0.5\"", "500m")]
    [InlineData("\"1e3\"", "1e3")]
    [InlineData("\"1000Mi\"", "1000Mi")]
    [InlineData("\"\\u0031Gi\"", "1Gi")]
    public void Reads_and_writes_what_the_client_does(string json, string canonical)
    {
        var options = Options(new SharedQuantities());

        var quantity = JsonSerializer.Deserialize<ResourceQuantity>(json, options)!;

        var expected = new ResourceQuantity(JsonSerializer.Deserialize<string>(json)).ToString();
        Assert.Equal(expected, quantity.ToString());
        Assert.Equal(canonical, expected);
        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(quantity, options));
    }

    [Fact]
    public void The_same_text_reads_as_one_shared_instance_in_every_object()
    {
        var shared = new SharedQuantities();
        var options = Options(shared);
        const string Json = """{"limits":{"cpu":"100m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}}""";

        var first = JsonSerializer.Deserialize<V1ResourceRequirements>(Json, options)!;
        var second = JsonSerializer.Deserialize<V1ResourceRequirements>(Json, options)!;

        Assert.Same(first.Requests["cpu"], first.Limits["cpu"]);
        Assert.Same(first.Requests["memory"], second.Requests["memory"]);
        Assert.NotSame(first.Requests["memory"], first.Limits["memory"]);
        Assert.Equal(3, shared.Count);
        Assert.Equal(Json, JsonSerializer.Serialize(second, options));
    }

    [Fact]
    public void Quantities_made_elsewhere_are_written_in_their_canonical_form()
    {
        var options = Options(new SharedQuantities());

        Assert.Equal("\"1536Mi\"", JsonSerializer.Serialize(new ResourceQuantity("1.5Gi"), options));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1.5")]
    [InlineData("true")]
    [InlineData("{}")]
    [InlineData("[]")]
    public void A_value_that_is_not_text_reads_or_fails_as_with_the_client(string json)
    {
        var clientOwn = new JsonSerializerOptions(KubeJson.SerializerOptions);
        clientOwn.Converters.Remove(KubeJson.Quantities);
        var body = $$"""{"cpu":{{json}}}""";
        Dictionary<string, ResourceQuantity>? ours = null, theirs = null;

        var ourError = Record.Exception(() => ours = JsonSerializer.Deserialize<Dictionary<string, ResourceQuantity>>(body, Options(new SharedQuantities())));
        var theirError = Record.Exception(() => theirs = JsonSerializer.Deserialize<Dictionary<string, ResourceQuantity>>(body, clientOwn));

        Assert.Equal(theirError?.GetType(), ourError?.GetType());
        Assert.Equal(theirs?["cpu"].ToString(), ours?["cpu"].ToString());
    }

    [Fact]
    public void Past_its_capacity_it_converts_without_remembering()
    {
        var shared = new SharedQuantities();
        var options = Options(shared);

        for (var i = 0; i < SharedQuantities.Capacity + 100; i++)
        {
            var quantity = JsonSerializer.Deserialize<ResourceQuantity>($"\"{i}Mi\"", options)!;
            Assert.Equal($"\"{new ResourceQuantity($"{i}Mi")}\"", JsonSerializer.Serialize(quantity, options));
        }

        Assert.Equal(SharedQuantities.Capacity, shared.Count);
        var unremembered = JsonSerializer.Deserialize<ResourceQuantity>($"\"{SharedQuantities.Capacity + 50}Mi\"", options);
        Assert.NotSame(unremembered, JsonSerializer.Deserialize<ResourceQuantity>($"\"{SharedQuantities.Capacity + 50}Mi\"", options));
    }

    [Fact]
    public void Readers_racing_on_a_new_text_all_get_one_instance()
    {
        var shared = new SharedQuantities();
        var options = Options(shared);
        var json = Encoding.UTF8.GetBytes("\"750m\"");
        var seen = new ResourceQuantity[64];

        Parallel.For(0, seen.Length, i => seen[i] = JsonSerializer.Deserialize<ResourceQuantity>(json, options)!);

        // Racing first reads may each parse, but only one instance is remembered, and from then on it is shared.
        var remembered = JsonSerializer.Deserialize<ResourceQuantity>(json, options)!;
        Assert.Contains(seen, q => ReferenceEquals(q, remembered));
        Assert.All(seen, q => Assert.Equal("\"750m\"", JsonSerializer.Serialize(q, options)));
        Assert.Equal(1, shared.Count);
    }

    [Fact]
    public void The_webhooks_serializer_options_use_it()
    {
        Assert.Same(KubeJson.Quantities, KubeJson.SerializerOptions.Converters[0]);
        var first = KubeJson.FromUtf8<V1ResourceRequirements>("""{"requests":{"memory":"321Mi"}}"""u8);
        var second = KubeJson.FromUtf8<V1ResourceRequirements>("""{"limits":{"memory":"321Mi"}}"""u8);
        Assert.Same(first.Requests["memory"], second.Limits["memory"]);
    }

    private static JsonSerializerOptions Options(SharedQuantities shared)
    {
        var options = new JsonSerializerOptions(KubeJson.SerializerOptions);
        options.Converters.Remove(KubeJson.Quantities);
        options.Converters.Insert(0, shared);
        return options;
    }
}
