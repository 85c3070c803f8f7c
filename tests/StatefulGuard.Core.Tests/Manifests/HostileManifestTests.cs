using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using StatefulGuard.Core.Manifests;

namespace StatefulGuard.Core.Tests.Manifests;

/// <summary>
/// The offline reader is safe by construction (bounds hold while parsing, nothing deep is built recursively) and
/// reads YAML 1.1 as kubectl does; the writer's output reads back to exactly what it was given.
/// </summary>
public sealed class HostileManifestTests
{
    private static ManifestSet Read(string text) => ManifestReader.ReadText("hostile.yaml", text);

    private static JsonNode? Value(string yaml)
    {
        var set = Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  v: " + yaml + "\n");
        Assert.Empty(set.Errors);
        return set.Documents.Single().Object["data"]!["v"];
    }

    [Theory]
    [InlineData(100_000, true)]
    [InlineData(100_000, false)]
    [InlineData(129, true)]
    public void Deep_nesting_is_an_error_for_its_document_not_a_stack_overflow(int depth, bool flow)
    {
        var text = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n");
        if (flow)
        {
            text.Append("  x: ").Append('[', depth).Append(']', depth).Append('\n');
        }
        else
        {
            for (var i = 0; i < Math.Min(depth, 3000); i++)
            {
                text.Append(' ', 2 * (i + 1)).Append("k:\n");
            }
        }

        text.Append("---\napiVersion: v1\nkind: Service\nmetadata: {name: after}\n");
        var set = Read(text.ToString());

        Assert.Contains(set.Errors, e => e.Message.Contains("nesting deeper than 128 levels", StringComparison.Ordinal) && e.Line > 0);
        Assert.Equal("after", Assert.Single(set.Documents).Name);
    }

    [Fact]
    public void A_billion_laughs_stops_at_the_alias_budget()
    {
        var text = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < 10; i++)
        {
            text.Append($"  a{i}: &a{i} [").Append(string.Join(",", Enumerable.Repeat($"*a{i - 1}", 9))).Append("]\n");
        }

        // Stopped by the budget, not by time: how long it takes is measured by bench/fuzz.sh, not here.
        var set = Read(text.ToString());

        Assert.Contains(set.Errors, e => e.Message.Contains("alias bomb", StringComparison.Ordinal));
        Assert.Empty(set.Documents);
    }

    [Fact]
    public void Aliases_of_a_big_string_count_its_size()
    {
        var big = new string('x', 1_000_000);
        var text = $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n  a: &s {big}\n  list: [" + string.Join(",", Enumerable.Repeat("*s", 100)) + "]\n";
        var set = Read(text);
        Assert.Contains(set.Errors, e => e.Message.Contains("alias bomb", StringComparison.Ordinal));
    }

    [Fact]
    public void Modest_aliases_and_merge_keys_read_as_kubectl_applies_them()
    {
        var set = Read("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: merged
              labels: &common {app: web, tier: db}
              annotations:
                <<: [*common, {team: a, app: other}]
                app: own
            data:
              copy: *common
            """);

        Assert.Empty(set.Errors);
        var meta = set.Documents.Single().Object["metadata"]!;
        Assert.Equal("""{"app":"own","tier":"db","team":"a"}""", meta["annotations"]!.ToJsonString());
        Assert.Equal("""{"app":"web","tier":"db"}""", set.Documents.Single().Object["data"]!["copy"]!.ToJsonString());
    }

    [Theory]
    [InlineData("0755", "493")]
    [InlineData("0x1F", "31")]
    [InlineData("0X1F", "31")]
    [InlineData("0o17", "15")]
    [InlineData("0b101", "5")]
    [InlineData("1_000", "1000")]
    [InlineData("+12", "12")]
    [InlineData("089", "89")]
    [InlineData("9223372036854775808", "9223372036854775808")]
    [InlineData("18446744073709551616", "18446744073709551616")]
    [InlineData("0123456701234567012345670", "123456701234567012345670")]
    [InlineData("0xFFFFFFFFFFFFFFFFF", "\"0xFFFFFFFFFFFFFFFFF\"")]
    [InlineData("1e400", "\"1e400\"")]
    [InlineData(".5", "0.5")]
    [InlineData("1.", "1.0")]
    [InlineData("yes", "true")]
    [InlineData("n", "false")]
    [InlineData("~", "null")]
    [InlineData("\"0123456701234567012345670\"", "\"0123456701234567012345670\"")]
    [InlineData("!!str 0x10", "\"0x10\"")]
    [InlineData("!!binary aGVsbG8=", "\"hello\"")]
    [InlineData("!!int \"42\"", "42")]
    [InlineData("\"a\\r\\nb\"", "\"a\\r\\nb\"")]
    [InlineData("2026-12-03", "\"2026-12-03\"")]
    public void Scalars_read_as_kubectl_reads_them_and_never_throw(string yaml, string json) =>
        Assert.Equal(json, Value(yaml)?.ToJsonString() ?? "null");

    [Theory]
    [InlineData(".inf")]
    [InlineData("-.Inf")]
    [InlineData(".NaN")]
    [InlineData("!!int abc")]
    [InlineData("!!binary ***")]
    public void Values_json_cannot_carry_are_an_error_with_a_line(string yaml)
    {
        var set = Read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  v: " + yaml + "\n");
        var error = Assert.Single(set.Errors);
        Assert.Equal(5, error.Line);
        Assert.Empty(set.Documents);
    }

    [Fact]
    public void A_byte_order_mark_mid_stream_does_not_drop_the_document()
    {
        var set = Read("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n\uFEFFapiVersion: v1\nkind: Service\nmetadata: {name: b}\n");
        Assert.Empty(set.Errors);
        Assert.Equal(["a", "b"], set.Documents.Select(d => d.Name));
    }

    [Fact]
    public void A_document_without_a_string_api_version_is_reported()
    {
        var set = Read("apiVersion: null\nkind: Service\nmetadata: {name: a}\n");
        Assert.Contains(set.Errors, e => e.Message.Contains("no apiVersion or kind", StringComparison.Ordinal));
    }

    [Fact]
    public void A_big_list_reads_in_linear_time_with_each_items_lines()
    {
        var text = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
        for (var i = 0; i < 5000; i++)
        {
            text.Append($"- apiVersion: v1\n  kind: Service\n  metadata:\n    name: s{i}\n  spec:\n    clusterIP: None\n");
        }

        var set = Read(text.ToString());

        Assert.Equal(5000, set.Documents.Count);
        var last = set.Documents[^1];
        Assert.Equal(4 + (4999 * 6), last.Line);
        Assert.Equal(4 + (4999 * 6) + 5, last.LineOf("spec.clusterIP"));
    }

    private static readonly string[] Hostile =
    [
        "yes", "no", "on", "off", "y", "N", "~", "null", "true", "0x10", "0X1F", "0o17", "0b101", "0755", "1e3", ".5", "1_000", ".inf", ".NaN",
        "<<", "-", "- a", ":", "a: b", "#x", "x #y", " lead", "trail ", "\ttab", "a\nb", "a\r\nb", "a\rb", "\n", "\n\n", "a\n", "a\n\n", " a\nb",
        "a \nb", "'", "\"", "\\", "{", "[", "}", "&a", "*a", "!tag", "%", "@", "`", "|", ">", "é", "日本", "😀", "\u0085", "\u2028", "\uFEFF", "\0",
        "= ", "?", "? x", "2026-12-03", "12:30", "1:2:3", "+1", "-0", "0", "00", "0.0", "1.", "-.5", "9223372036854775808", "0123456701234567012345670",
    ];

    private static readonly Gen<string> HostileString =
        Gen.OneOf(Gen.Int[0, Hostile.Length - 1].Select(i => Hostile[i]), Gen.String[Gen.Char.AlphaNumeric, 0, 12], Gen.String[Gen.Char, 0, 8],
            Gen.Select(Gen.Int[0, Hostile.Length - 1].Select(i => Hostile[i]), Gen.Int[0, Hostile.Length - 1].Select(i => Hostile[i]), (a, b) => a + b));

    private static readonly Gen<JsonNode?> Leaf = Gen.OneOf(
        HostileString.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Const((JsonNode?)null));

    private static Gen<JsonNode?> Tree(int depth) => depth == 0
        ? Leaf
        : Gen.Frequency(
            (3, Leaf),
            (1, Gen.Select(HostileString, Tree(depth - 1)).Array[0, 4].Select(pairs =>
            {
                var obj = new JsonObject();
                foreach (var (k, v) in pairs)
                {
                    obj[k] = v?.DeepClone();
                }

                return (JsonNode?)obj;
            })),
            (1, Tree(depth - 1).Array[0, 4].Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray()))));

    [Fact]
    public void Written_yaml_reads_back_to_exactly_the_same_json()
    {
        Gen.Select(Tree(3).Array[1, 5], HostileString).Sample((values, name) =>
        {
            var doc = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name } };
            var data = new JsonObject();
            for (var i = 0; i < values.Length; i++)
            {
                data[$"k{i}"] = values[i]?.DeepClone();
            }

            doc["data"] = data;
            var yaml = YamlWriter.Write([doc, doc.DeepClone()]);
            var read = Read(yaml);

            Assert.True(read.Errors.Count == 0, $"{string.Join("; ", read.Errors)}\n{yaml}");
            Assert.Equal(2, read.Documents.Count);
            Assert.True(JsonNode.DeepEquals(doc, read.Documents[0].Object), $"{doc.ToJsonString()}\n---\n{yaml}\n---\n{read.Documents[0].Object.ToJsonString()}");
        }, iter: 3000);
    }
}
