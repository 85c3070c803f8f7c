using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StatefulGuard.Core.Reports;

/// <summary>
/// What the report writer keeps of a stored report: its name and resourceVersion, a fingerprint of what it says, and
/// when each result was first seen — a few hundred bytes, not the report. The fingerprint covers exactly the fields
/// StatefulGuard writes (result timestamps excepted), in a fixed order, so a report read back from the apiserver (with
/// fields it added, in its own key order) and the report StatefulGuard would write now compare equal when they say
/// the same.
/// </summary>
public sealed class StoredReport
{
    private readonly byte[] fingerprint;
    private readonly (int Result, long Seconds)[] times;

    private StoredReport(string @namespace, string name, string? resourceVersion, byte[] fingerprint, (int, long)[] times)
    {
        Namespace = @namespace;
        Name = name;
        ResourceVersion = resourceVersion;
        this.fingerprint = fingerprint;
        this.times = times;
    }

    public string Namespace { get; }

    public string Name { get; }

    public string? ResourceVersion { get; }

    /// <summary>The name of the StatefulSet the report is about (its scope).</summary>
    public string ScopeName { get; private init; } = "";

    /// <summary>A report as the apiserver holds it (read back, or the answer to a write); null when it is not one.</summary>
    /// <param name="problem">Why it is not a report StatefulGuard can keep track of.</param>
    public static StoredReport? TryOf(JsonNode? node, out string problem)
    {
        if (node is not JsonObject report)
        {
            problem = node is null ? "no object" : $"a JSON {node.GetValueKind()}, not an object";
            return null;
        }

        var metadata = JsonFields.Object(report, "metadata");
        var name = JsonFields.Text(metadata, "name");
        var ns = JsonFields.Text(metadata, "namespace");
        var scope = JsonFields.Text(JsonFields.Object(report, "scope"), "name");
        if (name is null || ns is null || scope is null)
        {
            problem = "no metadata.name, metadata.namespace or scope.name";
            return null;
        }

        var times = new List<(int, long)>();
        foreach (var item in (JsonFields.Array(report, "results") ?? []).OfType<JsonObject>())
        {
            if (JsonFields.Number(JsonFields.Object(item, "timestamp"), "seconds") is { } seconds)
            {
                times.Add((ResultKey(JsonFields.Text(item, "policy"), JsonFields.Text(item, "rule"), JsonFields.Text(item, "result"), JsonFields.Text(item, "message")), seconds));
            }
        }

        problem = "";
        return new StoredReport(ns, name, JsonFields.Text(metadata, "resourceVersion"), Fingerprint(report), [.. times]) { ScopeName = scope };
    }

    /// <summary>
    /// A report that is stored but cannot be read (of another shape): it says nothing StatefulGuard would write, so the
    /// next write replaces it, at its resourceVersion when that can be read.
    /// </summary>
    public static StoredReport Unreadable(string @namespace, string name, string? resourceVersion) =>
        new(@namespace, name, resourceVersion, [], []);

    /// <summary>Whether <paramref name="report"/> says what this one says (result timestamps aside).</summary>
    public bool Says(JsonObject report) => fingerprint.AsSpan().SequenceEqual(Fingerprint(report));

    /// <summary>When a result with this outcome and message was first reported; null if this report does not have it.</summary>
    public DateTimeOffset? FirstSeen(ReportResult result)
    {
        var key = ResultKey(result.Policy, result.Rule, result.Result, result.Message);
        foreach (var (k, seconds) in times)
        {
            if (k == key)
            {
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
        }

        return null;
    }

    private static int ResultKey(string? policy, string? rule, string? result, string? message) => HashCode.Combine(policy, rule, result, message);

    /// <summary>SHA-256 of the fields StatefulGuard writes, in a fixed order.</summary>
    public static byte[] Fingerprint(JsonObject report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Strings(json, report, "apiVersion", "kind", "source");
            var metadata = JsonFields.Object(report, "metadata");
            Strings(json, metadata, "name", "namespace");
            json.WriteString("managedBy", JsonFields.Text(JsonFields.Object(metadata, "labels"), PolicyReports.ManagedByLabel));
            json.WriteStartArray("owners");
            foreach (var owner in (JsonFields.Array(metadata, "ownerReferences") ?? []).OfType<JsonObject>())
            {
                Reference(json, owner, inArray: true);
            }

            json.WriteEndArray();
            if (JsonFields.Object(report, "scope") is { } scope)
            {
                Reference(json, scope);
            }

            foreach (var count in new[] { "pass", "fail", "warn", "error", "skip" })
            {
                json.WriteString(count, JsonFields.Raw(JsonFields.Object(report, "summary"), count));
            }

            json.WriteStartArray("results");
            foreach (var item in (JsonFields.Array(report, "results") ?? []).OfType<JsonObject>())
            {
                json.WriteStartObject();
                Strings(json, item, "source", "policy", "rule", "category", "severity", "result", "message");
                json.WriteString("scored", JsonFields.Raw(item, "scored"));
                json.WriteStartArray("resources");
                foreach (var resource in (JsonFields.Array(item, "resources") ?? []).OfType<JsonObject>())
                {
                    Reference(json, resource, inArray: true);
                }

                json.WriteEndArray();

                foreach (var (key, value) in (JsonFields.Object(item, "properties") ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteString("p:" + key, value?.ToJsonString());
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>An object reference, as a value (in an array) or as the property <c>ref</c>.</summary>
    private static void Reference(Utf8JsonWriter json, JsonObject reference, bool inArray = false)
    {
        if (inArray)
        {
            json.WriteStartObject();
        }
        else
        {
            json.WriteStartObject("ref");
        }

        Strings(json, reference, "apiVersion", "kind", "namespace", "name", "uid");
        json.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter json, JsonObject? obj, params string[] keys)
    {
        foreach (var key in keys)
        {
            json.WriteString(key, JsonFields.Text(obj, key) ?? JsonFields.Raw(obj, key));
        }
    }
}
