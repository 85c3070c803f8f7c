using System.Text;

namespace StatefulGuard.Tests.Support;

/// <summary>
/// Manifest files made hostile, deterministic per seed: nesting and alias bombs, numbers out of every range, values
/// JSON cannot carry, byte order marks and carriage returns where they do not belong, wrong types where the models
/// expect objects, duplicate keys, truncation and byte garbage — over realistic StatefulSets, Services and Namespaces.
/// </summary>
public static class HostileFiles
{
    private const string StatefulSet = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
          namespace: data
          labels: {app: db}
        spec:
          serviceName: db
          replicas: 3
          selector:
            matchLabels: {app: db}
          template:
            metadata:
              labels: {app: db}
            spec:
              containers:
                - name: db
                  image: postgres:17.2
                  ports:
                    - {name: pg, containerPort: 5432}
                  env:
                    - {name: MODE, value: "VALUE"}
          volumeClaimTemplates:
            - metadata: {name: data}
              spec:
                accessModes: [ReadWriteOnce]
                resources: {requests: {storage: 1Gi}}
        """;

    private const string Service = """
        apiVersion: v1
        kind: Service
        metadata: {name: db, namespace: data}
        spec:
          clusterIP: None
          selector: {app: db}
        """;

    private const string Namespace = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: data
          labels: {statefulguard.io/mode: enforce}
        """;

    private static readonly string[] Values =
    [
        "\"0123456701234567012345670\"", "0123456701234567012345670", "0x1FFFFFFFFFFFFFFFFFFF", "99999999999999999999999", "-0o777", "0b102",
        ".inf", "-.Inf", ".NaN", "1e999", "\"a\\r\\nb\"", "\"\\n\"", "'yes'", "yes", "n", "~", "!!binary aGVsbG8=", "!!binary ***", "!!int x",
        "!!float 1", "&x [1, *x]", "*undefined", "\"\\uFFFF\\u0000\"", "|\n            line\r\n            two", "\"\\ud800\"", "!custom {a: b}",
        "[1, 2", "{a: 1, a: 2}", "- not a value", "\t\ttabs", "\"" + new string('é', 5000) + "\"",
    ];

    public static string Make(int seed)
    {
        var random = new Random(seed);
        var docs = new List<string> { StatefulSet, Service, Namespace };
        var text = random.Next(14) switch
        {
            0 => Nest(random, flow: true),
            1 => Nest(random, flow: false),
            2 => Laughs(random),
            3 => BigAliases(random),
            4 => StatefulSet.Replace("\"VALUE\"", Values[random.Next(Values.Length)], StringComparison.Ordinal) + "\n---\n" + Service,
            5 => StatefulSet.Replace("{app: db}", Values[random.Next(Values.Length)], StringComparison.Ordinal),
            6 => Namespace.Replace("{statefulguard.io/mode: enforce}", "\"a string\"", StringComparison.Ordinal) + "\n---\n" + StatefulSet,
            7 => StatefulSet.Replace("metadata:\n  name: db\n  namespace: data\n  labels: {app: db}\n", "", StringComparison.Ordinal),
            8 => string.Join("\n---\n", docs) + "\n---\n\uFEFF" + Service.Replace("name: db", "name: after", StringComparison.Ordinal),
            9 => string.Join("\n---\n", docs).Replace("\n", random.Next(2) == 0 ? "\r\n" : "\r", StringComparison.Ordinal),
            10 => "apiVersion: v1\nkind: List\nitems:\n" + string.Join("", Enumerable.Range(0, random.Next(1, 50)).Select(i =>
                random.Next(10) == 0 ? "- 42\n" : "- " + StatefulSet.Replace("name: db\n  namespace", $"name: db{i}\n  namespace", StringComparison.Ordinal).Replace("\n", "\n  ", StringComparison.Ordinal) + "\n")),
            11 => Garbage(random),
            12 => StatefulSet.Replace("apiVersion: apps/v1", random.Next(3) switch { 0 => "apiVersion: null", 1 => "apiVersion: apps/v1beta1", _ => "apiVersion: [apps/v1]" }, StringComparison.Ordinal),
            _ => string.Join("\n---\n", docs),
        };

        return random.Next(6) == 0 ? text[..random.Next(text.Length)] : text;
    }

    private static string Nest(Random random, bool flow)
    {
        var depth = random.Next(2) == 0 ? random.Next(100, 200) : random.Next(10_000, 100_000);
        var text = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: ");
        if (flow)
        {
            text.Append(random.Next(2) == 0 ? '[' : '{', 1);
            for (var i = 1; i < depth; i++)
            {
                text.Append(random.Next(2) == 0 ? "[" : "{a: ");
            }
        }
        else
        {
            text.Append('\n');
            for (var i = 0; i < Math.Min(depth, 5000); i++)
            {
                text.Append(' ', 2 * (i + 2)).Append(random.Next(2) == 0 ? "- " : "k: ").Append('\n');
            }
        }

        return text.Append("\n---\n").Append(StatefulSet).ToString();
    }

    private static string Laughs(Random random)
    {
        var width = random.Next(5, 12);
        var text = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a0: &a0 lol\n");
        for (var i = 1; i < random.Next(6, 14); i++)
        {
            text.Append($"  a{i}: &a{i} [").Append(string.Join(",", Enumerable.Repeat($"*a{i - 1}", width))).Append("]\n");
        }

        return text.ToString();
    }

    private static string BigAliases(Random random)
    {
        var big = new string('x', random.Next(100_000, 2_000_000));
        return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  s: &s " + big + "\n  l: [" + string.Join(",", Enumerable.Repeat("*s", random.Next(10, 2000))) + "]\n";
    }

    private static string Garbage(Random random)
    {
        var bytes = new byte[random.Next(1, 4000)];
        random.NextBytes(bytes);
        return Encoding.Latin1.GetString(bytes);
    }
}
