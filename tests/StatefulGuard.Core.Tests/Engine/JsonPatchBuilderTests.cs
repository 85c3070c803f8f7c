using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Tests.Engine;

/// <summary>
/// The patch builder against an independent RFC 6902 implementation: for random documents the patch
/// applies, yields exactly the target, and is empty for equal inputs.
/// </summary>
public sealed class JsonPatchBuilderTests
{
    // A small key space (with pointer metacharacters) so random documents overlap and diffs are deep.
    // No empty key: Kubernetes has none, and the reference implementation cannot address one.
    private static readonly Gen<string> Key = Gen.OneOf<string>("a", "b", "c", "a/b", "~x", "~1", "x~0/y", "app.kubernetes.io/name");

    private static readonly Gen<JsonNode?> Scalar = Gen.OneOf(
        Gen.Int[-3, 3].Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.OneOf<string>("", "x", "y", "0").Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Const((JsonNode?)null));

    private static Gen<JsonNode?> Node(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency((3, Scalar), (2, Object(depth - 1).Select(o => (JsonNode?)o)), (1, Array(depth - 1).Select(a => (JsonNode?)a)));

    private static Gen<JsonObject> Object(int depth) =>
        Gen.Select(Key, Node(depth)).Array[0, 4].Select(pairs =>
        {
            var obj = new JsonObject();
            foreach (var (key, value) in pairs)
            {
                obj[key] = value?.DeepClone();
            }

            return obj;
        });

    private static Gen<JsonArray> Array(int depth) =>
        Node(depth).Array[0, 4].Select(items => new JsonArray(items.Select(i => i?.DeepClone()).ToArray()));

    private static readonly Gen<JsonObject> Document = Object(4);

    [Fact]
    public void Patch_applied_by_an_independent_implementation_yields_the_target() =>
        Gen.Select(Document, Document).Sample((before, after) =>
        {
            var patched = Apply(before, JsonPatchBuilder.Diff(before, after));
            return JsonNode.DeepEquals(patched, after);
        }, iter: 3000);

    [Fact]
    public void Equal_documents_give_an_empty_patch() =>
        Document.Sample(doc => JsonPatchBuilder.Diff(doc, doc.DeepClone()).Count == 0, iter: 2000);

    [Fact]
    public void Adding_members_never_replaces_an_existing_object_or_array() =>
        Gen.Select(Document, Key, Node(2)).Sample((before, key, value) =>
        {
            var after = before.DeepClone().AsObject();
            var target = after.FirstOrDefault(p => p.Value is JsonObject).Value as JsonObject ?? after;
            var fresh = "new-" + key;
            target[fresh] = value?.DeepClone();
            var operations = JsonPatchBuilder.Diff(before, after);
            return operations.Count == 1 && operations[0].Op == PatchOperation.Add && operations[0].Path.EndsWith("/" + JsonPatchBuilder.Escape(fresh), StringComparison.Ordinal);
        }, iter: 1000);

    [Fact]
    public void Keys_are_escaped_as_json_pointers()
    {
        var before = JsonNode.Parse("""{"metadata":{"annotations":{"a":"1"}}}""")!;
        var after = JsonNode.Parse("""{"metadata":{"annotations":{"a":"1","statefulguard.io/injected":"x","t~ilde":"y"}}}""")!;

        var patch = JsonPatchBuilder.ToJsonString(JsonPatchBuilder.Diff(before, after));

        Assert.Equal(
            """[{"op":"add","path":"/metadata/annotations/statefulguard.io~1injected","value":"x"},{"op":"add","path":"/metadata/annotations/t~0ilde","value":"y"}]""",
            patch);
    }

    [Fact]
    public void A_missing_parent_is_added_whole_before_any_child()
    {
        var before = JsonNode.Parse("""{"metadata":{"name":"web"}}""")!;
        var after = JsonNode.Parse("""{"metadata":{"name":"web","annotations":{"k":"v"}}}""")!;

        var operation = Assert.Single(JsonPatchBuilder.Diff(before, after));

        Assert.Equal(("add", "/metadata/annotations"), (operation.Op, operation.Path));
        Assert.Equal("""{"k":"v"}""", operation.Value!.ToJsonString());
    }

    [Fact]
    public void The_document_diff_gives_the_same_patch_as_the_node_diff_and_applies() =>
        Gen.Select(Document, Document).Sample((before, after) =>
        {
            var expected = JsonPatchBuilder.ToJsonString(NodeDiff(before, after));
            var operations = ElementDiff(before, after, "");
            return JsonPatchBuilder.ToJsonString(operations) == expected && JsonNode.DeepEquals(Apply(before, operations), after);
        }, iter: 3000);

    [Fact]
    public void The_document_diff_of_equal_documents_with_members_in_another_order_is_empty()
    {
        var before = JsonNode.Parse("""{"a":1,"b":{"x":[1,{"y":2,"z":3}],"w":"v"}}""")!.AsObject();
        var after = JsonNode.Parse("""{"b":{"w":"v","x":[1,{"z":3,"y":2}]},"a":1}""")!.AsObject();

        Assert.Empty(ElementDiff(before, after, "/spec/template"));
    }

    [Fact]
    public void Document_diff_values_outlive_their_documents_and_paths_are_rooted_and_escaped()
    {
        var before = JsonNode.Parse("""{"metadata":{"labels":{"a":"1"}},"spec":{"containers":[{"name":"c"}]}}""")!.AsObject();
        var after = JsonNode.Parse("""{"metadata":{"labels":{"a":"1","app.kubernetes.io/name":"web"}},"spec":{"containers":[{"name":"c","startupProbe":{"tcpSocket":{"port":"web"}}}]}}""")!.AsObject();

        var operations = ElementDiff(before, after, "/spec/template"); // the documents are disposed by now

        Assert.Equal(
            """[{"op":"add","path":"/spec/template/metadata/labels/app.kubernetes.io~1name","value":"web"},{"op":"add","path":"/spec/template/spec/containers/0/startupProbe","value":{"tcpSocket":{"port":"web"}}}]""",
            JsonPatchBuilder.ToJsonString(operations));
        Assert.Equal("web", operations[1].Value!["tcpSocket"]!["port"]!.GetValue<string>());
    }

    [Fact]
    public void Objects_with_many_members_are_diffed_without_quadratic_work()
    {
        // 200,000 labels: member-by-member scanning would take minutes; lookups take well under a second.
        var before = new JsonObject();
        var after = new JsonObject();
        for (var i = 0; i < 200_000; i++)
        {
            before["k" + i] = "v";
            after["k" + (199_999 - i)] = i == 7 ? "changed" : "v";
        }

        var operation = Assert.Single(ElementDiff(before, after, ""));

        Assert.Equal(("replace", "/k199992"), (operation.Op, operation.Path));
    }

    /// <summary>
    /// The reference: the same diff written plainly over nodes (materializing everything, a path string per
    /// member), which the document diff must match operation for operation.
    /// </summary>
    private static List<PatchOperation> NodeDiff(JsonNode? before, JsonNode? after)
    {
        var operations = new List<PatchOperation>();
        NodeDiffInto(before, after, "", operations);
        return operations;
    }

    private static void NodeDiffInto(JsonNode? before, JsonNode? after, string path, List<PatchOperation> operations)
    {
        switch (before, after)
        {
            case (JsonObject a, JsonObject b):
                foreach (var (key, _) in a)
                {
                    if (!b.ContainsKey(key))
                    {
                        operations.Add(new PatchOperation(PatchOperation.Remove, path + "/" + JsonPatchBuilder.Escape(key), null));
                    }
                }

                foreach (var (key, value) in b)
                {
                    var child = path + "/" + JsonPatchBuilder.Escape(key);
                    if (a.TryGetPropertyValue(key, out var old))
                    {
                        NodeDiffInto(old, value, child, operations);
                    }
                    else
                    {
                        operations.Add(new PatchOperation(PatchOperation.Add, child, value?.DeepClone()));
                    }
                }

                return;

            case (JsonArray a, JsonArray b):
                var common = Math.Min(a.Count, b.Count);
                for (var i = 0; i < common; i++)
                {
                    NodeDiffInto(a[i], b[i], path + "/" + i, operations);
                }

                for (var i = a.Count - 1; i >= common; i--)
                {
                    operations.Add(new PatchOperation(PatchOperation.Remove, path + "/" + i, null));
                }

                for (var i = common; i < b.Count; i++)
                {
                    operations.Add(new PatchOperation(PatchOperation.Add, path + "/" + i, b[i]?.DeepClone()));
                }

                return;

            default:
                if (!JsonNode.DeepEquals(before, after))
                {
                    operations.Add(new PatchOperation(PatchOperation.Replace, path, after?.DeepClone()));
                }

                return;
        }
    }

    private static List<PatchOperation> ElementDiff(JsonObject before, JsonObject after, string basePath)
    {
        var operations = new List<PatchOperation>();
        using (var left = JsonDocument.Parse(before.ToJsonString()))
        using (var right = JsonDocument.Parse(after.ToJsonString()))
        {
            JsonPatchBuilder.Diff(left.RootElement, right.RootElement, basePath, operations);
        }

        return operations;
    }

    private static JsonObject Apply(JsonObject document, IReadOnlyList<PatchOperation> operations)
    {
        var target = document.DeepClone().AsObject();
        var patch = JsonSerializer.Deserialize<JsonPatchDocument>(JsonPatchBuilder.ToJson(operations))!;
        patch.ApplyTo(target);
        return target;
    }
}
