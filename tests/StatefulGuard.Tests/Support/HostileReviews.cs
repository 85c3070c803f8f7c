using System.Text;
using System.Text.Json.Nodes;

namespace StatefulGuard.Tests.Support;

/// <summary>
/// AdmissionReviews built from realistic, apiserver-defaulted StatefulSets and then made hostile: nulls in lists
/// and in place of nested objects, wrong types, odd int-or-strings, long and unicode strings, keys with <c>/</c> and
/// <c>~</c>, duplicate names, a thousand containers, no metadata, member names in another case or spelled with
/// <c>\u</c> escapes, invalid UTF-8, duplicate keys. Deterministic per seed.
/// </summary>
public static class HostileReviews
{
    public sealed record Case(int Seed, string Endpoint, byte[] Body, JsonObject? SentObject, bool ObjectIntact);

    private static readonly string[] Names = ["web", "mysql", "zookeeper", "kafka", "postgres", "redis", "elasticsearch"];

    private static readonly JsonObject[] Bases = Names.Select(n => MutationFixtures.Created(n, "fuzz")).ToArray();

    private static readonly string[] OddStrings =
    [
        "", " ", "80 ", " 80", "080", "1e3", "0x50", "http ", "yes", "~", "a/b", "~1", "ünïcødé", "日本語", "\u0000", "\t\n",
        "😀", new string('x', 300), "None", "null", "true", "-1", "99999999999999999999",
    ];

    private static readonly JsonNode?[] OddValues =
    [
        null, JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(1.5), JsonValue.Create(int.MaxValue), JsonValue.Create(long.MaxValue),
        JsonValue.Create(1e300), JsonValue.Create(true), JsonValue.Create("80 "), JsonValue.Create("x"), new JsonArray(), new JsonObject(),
        new JsonArray((JsonNode?)null), new JsonObject { ["a/b~c"] = "d" },
    ];

    public static Case Make(int seed)
    {
        var random = new Random(seed);
        var original = Bases[random.Next(Bases.Length)];
        var sts = original.DeepClone().AsObject();
        var operations = random.Next(1, 5);
        for (var i = 0; i < operations; i++)
        {
            Mutate(sts, random);
        }

        var update = random.Next(4) == 0;
        // The envelope is built around the untouched object (the request's name and namespace are the apiserver's),
        // then the hostile object takes its place; an UPDATE's stored version is the hostile one or another.
        var review = update
            ? AdmissionReviews.Update(original, Fixtures.Stored(original))
            : AdmissionReviews.Create(original, dryRun: random.Next(8) == 0);
        review["request"]!["object"] = sts;
        if (update && random.Next(2) == 0)
        {
            review["request"]!["oldObject"] = sts.DeepClone();
        }

        var text = review.ToJsonString();
        var endpoint = random.Next(3) == 0 ? "/validate" : "/mutate";

        var intact = true;
        byte[] body;
        switch (random.Next(12))
        {
            case 0:
                body = InvalidUtf8(text, random);
                intact = false;
                break;
            case 1:
                body = Encoding.UTF8.GetBytes(DuplicateKey(text, random));
                intact = false;
                break;
            case 2:
                // Member names spelled with escapes or in another case: the same text to a reader that unescapes.
                body = Encoding.UTF8.GetBytes(text.Replace("\"spec\":", random.Next(2) == 0 ? "\"\\u0073pec\":" : "\"Spec\":", StringComparison.Ordinal));
                intact = false;
                break;
            case 3:
                body = Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]);
                intact = false;
                break;
            case 4:
            case 5:
                // The same JSON with member names and values spelled in \u escapes: a reader must unescape them.
                body = Encoding.UTF8.GetBytes(EscapeSome(text, random));
                break;
            default:
                body = Encoding.UTF8.GetBytes(text);
                break;
        }

        return new Case(seed, endpoint, body, sts, intact);
    }

    private static void Mutate(JsonObject sts, Random random)
    {
        var nodes = Walk(sts, "").ToList();
        var (parent, key, _, path) = nodes[random.Next(nodes.Count)];
        switch (random.Next(14))
        {
            case 0 when parent is JsonObject obj && key is string name:
                obj.Remove(name);
                break;
            case 1:
                Set(parent, key, OddValues[random.Next(OddValues.Length)]?.DeepClone());
                break;
            case 2:
                Set(parent, key, JsonValue.Create(OddStrings[random.Next(OddStrings.Length)]));
                break;
            case 3:
                // A null element in a list.
                var lists = nodes.Where(n => n.Value is JsonArray).ToList();
                if (lists.Count > 0)
                {
                    var list = (JsonArray)lists[random.Next(lists.Count)].Value!;
                    list.Insert(random.Next(list.Count + 1), null);
                }

                break;
            case 4:
                // A null nested object.
                var objects = nodes.Where(n => n.Value is JsonObject).ToList();
                if (objects.Count > 0)
                {
                    var (p, k, _, _) = objects[random.Next(objects.Count)];
                    Set(p, k, null);
                }

                break;
            case 5:
                // An int-or-string port or probe target in an odd form.
                var ports = nodes.Where(n => n.Path.EndsWith("/port", StringComparison.Ordinal) || n.Path.EndsWith("/containerPort", StringComparison.Ordinal)).ToList();
                if (ports.Count > 0)
                {
                    var (p, k, _, _) = ports[random.Next(ports.Count)];
                    Set(p, k, random.Next(2) == 0 ? JsonValue.Create(OddStrings[random.Next(OddStrings.Length)]) : OddValues[random.Next(OddValues.Length)]?.DeepClone());
                }

                break;
            case 6:
                // Keys that need JSON Pointer escaping.
                var labels = At(sts, "spec", "template", "metadata", "labels") as JsonObject;
                if (labels is not null)
                {
                    labels[random.Next(2) == 0 ? "a/b" : "c~d/e~1"] = OddStrings[random.Next(OddStrings.Length)];
                }

                if (sts["metadata"] is JsonObject meta)
                {
                    meta["annotations"] = new JsonObject { ["x/y~z"] = "1", ["statefulguard.io/skip"] = OddStrings[random.Next(OddStrings.Length)] };
                }

                break;
            case 7:
                // Duplicate container names.
                if (At(sts, "spec", "template", "spec", "containers") is JsonArray { Count: > 0 } containers && containers[0] is { } first)
                {
                    containers.Add(first.DeepClone());
                }

                break;
            case 8:
                if (random.Next(20) == 0 && At(sts, "spec", "template", "spec", "containers") is JsonArray { Count: > 0 } many && many[0] is { } one)
                {
                    for (var c = 0; c < 1000; c++)
                    {
                        var copy = one.DeepClone();
                        if (copy is JsonObject o)
                        {
                            o["name"] = $"c{c}";
                        }

                        many.Add(copy);
                    }
                }

                break;
            case 9:
                sts.Remove("metadata");
                break;
            case 10:
                // Unknown fields nested deep.
                JsonNode deep = new JsonObject { ["leaf"] = 1 };
                for (var d = 0; d < random.Next(10, 100); d++)
                {
                    deep = new JsonObject { ["n"] = deep };
                }

                Set(parent, key, deep);
                break;
            case 11:
                Set(parent, key, JsonValue.Create(new string('é', random.Next(1, 5000))));
                break;
            case 12:
                // A container without a name or without ports.
                if (At(sts, "spec", "template", "spec", "containers") is JsonArray { Count: > 0 } cs && cs[random.Next(cs.Count)] is JsonObject c0)
                {
                    c0.Remove(random.Next(2) == 0 ? "name" : "ports");
                }

                break;
            default:
                _ = path;
                break;
        }
    }

    private static string EscapeSome(string text, Random random)
    {
        string[] names = ["\"containers\":", "\"name\":", "\"ports\":", "\"containerPort\":", "\"template\":", "\"metadata\":", "\"annotations\":",
            "\"securityContext\":", "\"labels\":", "\"spec\":", "\"lifecycle\":", "\"image\":", "\"initContainers\":", "\"restartPolicy\":"];
        var result = new StringBuilder(text);
        for (var n = 0; n < 3; n++)
        {
            var name = names[random.Next(names.Length)];
            var escaped = "\"" + string.Concat(name[1..^2].Select((ch, i) => i == 0 || random.Next(3) == 0 ? $"\\u{(int)ch:x4}" : ch.ToString())) + "\":";
            result.Replace(name, escaped);
        }

        return result.ToString();
    }

    private static byte[] InvalidUtf8(string text, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var quotes = new List<int>();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'"')
            {
                quotes.Add(i);
            }
        }

        var at = quotes[random.Next(quotes.Count)] + 1;
        var list = bytes.ToList();
        list.InsertRange(Math.Min(at, list.Count), random.Next(3) switch
        {
            0 => [0xFF],
            1 => [0xC3],
            _ => [0xED, 0xA0, 0x80], // an encoded surrogate
        });
        return list.ToArray();
    }

    private static string DuplicateKey(string text, Random random)
    {
        string[] keys = ["\"name\":", "\"image\":", "\"containers\":", "\"labels\":", "\"spec\":", "\"serviceName\":", "\"uid\":"];
        var key = keys[random.Next(keys.Length)];
        var at = text.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return text;
        }

        var value = key == "\"containers\":" || key == "\"labels\":" || key == "\"spec\":" ? "{}" : "\"dup\"";
        return text[..at] + key + value + "," + text[at..];
    }

    /// <summary>The node at the path, or null where the path leaves objects (the object may already be broken).</summary>
    private static JsonNode? At(JsonNode? node, params string[] keys)
    {
        foreach (var key in keys)
        {
            node = node is JsonObject obj ? obj[key] : null;
        }

        return node;
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

    private static IEnumerable<(JsonNode Parent, object Key, JsonNode? Value, string Path)> Walk(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToArray())
                {
                    var child = $"{path}/{key}";
                    yield return (obj, key, value, child);
                    if (value is not null)
                    {
                        foreach (var inner in Walk(value, child))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var child = $"{path}/{i}";
                    yield return (array, i, array[i], child);
                    if (array[i] is { } item)
                    {
                        foreach (var inner in Walk(item, child))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
        }
    }
}
