using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using StatefulGuard.Commands;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Tests.Commands;

/// <summary><c>mutate</c>'s patch applier gives what the reference implementation gives, and refuses what it refuses.</summary>
public sealed class ManifestPatchTests
{
    private const string Document = """
        {"metadata":{"name":"db","annotations":{"a/b":"1","t~x":"2"}},
         "spec":{"template":{"spec":{"containers":[{"name":"main"},{"name":"side","ports":[{"containerPort":80}]}]}}},
         "x-unknown":{"kept":true}}
        """;

    public static TheoryData<string> Patches =>
    [
        """[{"op":"add","path":"/spec/template/spec/containers/0/readinessProbe","value":{"tcpSocket":{"port":5432}}}]""",
        """[{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"last"}}]""",
        """[{"op":"add","path":"/spec/template/spec/containers/1","value":{"name":"between"}}]""",
        """[{"op":"add","path":"/spec/template/spec/containers/2","value":{"name":"at-the-end"}}]""",
        """[{"op":"replace","path":"/metadata/annotations/a~1b","value":"3"}]""",
        """[{"op":"replace","path":"/metadata/annotations/t~0x","value":null}]""",
        """[{"op":"remove","path":"/metadata/annotations/a~1b"}]""",
        """[{"op":"remove","path":"/spec/template/spec/containers/1/ports/0"}]""",
        """[{"op":"replace","path":"/spec/template/spec/containers/0","value":{"name":"new"}}]""",
        """[{"op":"add","path":"/metadata/labels","value":{"app":"db"}},{"op":"add","path":"/metadata/labels/tier","value":"data"}]""",
        """[{"op":"add","path":"/metadata/name","value":"renamed"}]""",
    ];

    public static TheoryData<string> Refused =>
    [
        """[{"op":"replace","path":"/metadata/labels","value":{}}]""",
        """[{"op":"remove","path":"/metadata/labels"}]""",
        """[{"op":"add","path":"/metadata/labels/app","value":"db"}]""",
        """[{"op":"add","path":"/spec/template/spec/containers/3","value":{}}]""",
        """[{"op":"replace","path":"/spec/template/spec/containers/2","value":{}}]""",
        """[{"op":"remove","path":"/spec/template/spec/containers/-1"}]""",
        """[{"op":"add","path":"/metadata/name/x","value":1}]""",
    ];

    [Theory]
    [MemberData(nameof(Patches))]
    public void A_patch_gives_what_the_reference_implementation_gives(string patch)
    {
        var ours = JsonNode.Parse(Document)!;
        ManifestPatch.Apply(ours, Operations(patch));

        var reference = JsonNode.Parse(Document)!;
        JsonSerializer.Deserialize<JsonPatchDocument>(patch)!.ApplyTo(reference);

        Assert.True(JsonNode.DeepEquals(reference, ours), $"ours: {ours.ToJsonString()}\nreference: {reference.ToJsonString()}");
        Assert.True(ours["x-unknown"]!["kept"]!.GetValue<bool>());
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_patch_that_does_not_apply_is_an_error_naming_its_path(string patch)
    {
        var operations = Operations(patch);
        var error = Assert.Throws<InvalidOperationException>(() => ManifestPatch.Apply(JsonNode.Parse(Document)!, operations));
        Assert.Contains(operations[^1].Path, error.Message, StringComparison.Ordinal);

        var reference = JsonNode.Parse(Document)!;
        Assert.ThrowsAny<Exception>(() => JsonSerializer.Deserialize<JsonPatchDocument>(patch)!.ApplyTo(reference));
    }

    [Fact]
    public void The_values_are_copied_not_shared()
    {
        var value = new JsonObject { ["app"] = "db" };
        var document = JsonNode.Parse(Document)!;
        ManifestPatch.Apply(document, [new PatchOperation(PatchOperation.Add, "/metadata/labels", value)]);

        value["app"] = "changed";
        Assert.Equal("db", document["metadata"]!["labels"]!["app"]!.GetValue<string>());
    }

    private static List<PatchOperation> Operations(string patch) =>
        [.. JsonNode.Parse(patch)!.AsArray().Select(o => new PatchOperation(o!["op"]!.GetValue<string>(), o["path"]!.GetValue<string>(), o["value"]?.DeepClone()))];
}
