using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using k8s.Models;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Tests.Engine;

/// <summary>
/// Patches as written, against an independent RFC 6902 implementation (Microsoft.AspNetCore.JsonPatch.SystemTextJson,
/// which <c>mutate</c> also applies them with): for random documents the written patch turns one into the other.
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
    public void Written_patches_apply_with_an_independent_implementation() =>
        Gen.Select(Document, Document).Sample((before, after) =>
            JsonNode.DeepEquals(Apply(before, NodeDiff(before, after)), after), iter: 3000);

    [Fact]
    public void Keys_are_escaped_as_json_pointers_and_unescaped_when_applied()
    {
        Assert.Equal("statefulguard.io~1injected", JsonPatchBuilder.Escape("statefulguard.io/injected"));
        Assert.Equal("t~0ilde~1x", JsonPatchBuilder.Escape("t~ilde/x"));
        Assert.Same("plain", JsonPatchBuilder.Escape("plain"));

        var document = Apply(JsonNode.Parse("""{"metadata":{"annotations":{"a":"1"}}}""")!.AsObject(),
            [new PatchOperation(PatchOperation.Add, "/metadata/annotations/t~0ilde~1x", JsonValue.Create("y"))]);

        Assert.Equal("y", document["metadata"]!["annotations"]!["t~ilde/x"]!.GetValue<string>());
    }

    [Fact]
    public void A_typed_value_is_written_by_its_serializer_and_read_back_as_a_node()
    {
        var probe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = "web" }, PeriodSeconds = 10 };
        var operation = PatchOperation.FromValue(PatchOperation.Add, "/spec/template/spec/containers/0/startupProbe", probe,
            KubeJson.SerializerOptions.GetTypeInfo(typeof(V1Probe)));

        Assert.Equal(
            """[{"op":"add","path":"/spec/template/spec/containers/0/startupProbe","value":{"periodSeconds":10,"tcpSocket":{"port":"web"}}}]""",
            JsonPatchBuilder.ToJsonString([operation]));
        Assert.Equal("web", operation.Value!["tcpSocket"]!["port"]!.GetValue<string>());
    }

    [Fact]
    public void A_remove_is_written_without_a_value_and_an_add_of_null_with_one()
    {
        Assert.Equal("""[{"op":"remove","path":"/a/0"}]""", JsonPatchBuilder.ToJsonString([new PatchOperation(PatchOperation.Remove, "/a/0", null)]));
        Assert.Equal("""[{"op":"add","path":"/a","value":null}]""", JsonPatchBuilder.ToJsonString([new PatchOperation(PatchOperation.Add, "/a", null)]));
    }

    [Fact]
    public void A_whole_patch_of_typed_values_nodes_and_lists_is_written_in_order()
    {
        var operations = new List<PatchOperation>
        {
            new(PatchOperation.Replace, "/metadata/annotations/statefulguard.io~1injected", JsonValue.Create("probes:web/startup")),
            PatchOperation.FromValue(PatchOperation.Add, "/spec/template/spec/containers/0/securityContext",
                new V1SecurityContext { AllowPrivilegeEscalation = false, Capabilities = new V1Capabilities { Drop = ["ALL"] } },
                KubeJson.SerializerOptions.GetTypeInfo(typeof(V1SecurityContext))),
            PatchOperation.FromValue(PatchOperation.Add, "/spec/template/spec/topologySpreadConstraints",
                new List<V1TopologySpreadConstraint> { new() { MaxSkew = 1, TopologyKey = "topology.kubernetes.io/zone", WhenUnsatisfiable = "ScheduleAnyway" } },
                KubeJson.SerializerOptions.GetTypeInfo(typeof(IList<V1TopologySpreadConstraint>))),
            new(PatchOperation.Add, "/metadata/labels", new JsonObject { ["app"] = "web" }),
        };

        Assert.Equal(
            """[{"op":"replace","path":"/metadata/annotations/statefulguard.io~1injected","value":"probes:web/startup"},""" +
            """{"op":"add","path":"/spec/template/spec/containers/0/securityContext","value":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}},""" +
            """{"op":"add","path":"/spec/template/spec/topologySpreadConstraints","value":[{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"ScheduleAnyway"}]},""" +
            """{"op":"add","path":"/metadata/labels","value":{"app":"web"}}]""",
            JsonPatchBuilder.ToJsonString(operations));
    }

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

    private static JsonObject Apply(JsonObject document, IReadOnlyList<PatchOperation> operations)
    {
        var target = document.DeepClone().AsObject();
        var patch = JsonSerializer.Deserialize<JsonPatchDocument>(JsonPatchBuilder.ToJson(operations))!;
        patch.ApplyTo(target);
        return target;
    }
}
