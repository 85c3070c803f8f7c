using System.Text;
using System.Text.Json;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Admission;

/// <summary>
/// Reads an AdmissionReview from the request body in one forward pass: the envelope's fields are read as the reader
/// meets them, and <c>object</c>, <c>oldObject</c> and <c>options</c> are only delimited (kept as slices of the body,
/// valid while it is), so the object inside is deserialized once, straight from the request's bytes, by whoever
/// needs it. Nothing else is built: no document of the whole body.
/// Nesting deeper than <see cref="AdmissionJsonContext.MaxDepth"/> and anything after the review are rejected, and so
/// is a key given twice in the envelope; duplicate keys inside the object are rejected when it is deserialized
/// (<see cref="AdmissionObjects"/>), in the parts of it that are read (<see cref="ObjectParts"/>).
/// </summary>
public static class AdmissionReviewReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = AdmissionJsonContext.MaxDepth };

    private static readonly Names ReviewNames = new("apiVersion", "kind", "request");

    private static readonly Names RequestNames = new(
        "uid", "kind", "resource", "subResource", "requestKind", "requestResource", "requestSubResource", "name", "namespace",
        "operation", "userInfo", "object", "oldObject", "dryRun", "options");

    private static readonly Names KindNames = new("group", "version", "kind");

    private static readonly Names ResourceNames = new("group", "version", "resource");

    private static readonly Names UserInfoNames = new("username", "uid", "groups", "extra");

    /// <summary>Parses <paramref name="body"/>; the review's raw values are slices of it.</summary>
    /// <param name="parts">What of a StatefulSet object to read in this pass (the bytes are kept whole either way).</param>
    /// <exception cref="JsonException">The body is not JSON, or a field of the envelope has the wrong type or is given twice.</exception>
    public static AdmissionReview Parse(ReadOnlyMemory<byte> body, ObjectParts parts = ObjectParts.Whole)
    {
        var reader = new Utf8JsonReader(body.Span, ReaderOptions);
        reader.Read();
        var review = ReadReview(ref reader, body, parts);
        if (reader.Read())
        {
            // The reader itself rejects a second value; this only guards that assumption.
            throw new JsonException("unexpected content after the AdmissionReview");
        }

        return review;
    }

    private static AdmissionReview ReadReview(ref Utf8JsonReader reader, ReadOnlyMemory<byte> body, ObjectParts parts)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"$ must be an object, got {Describe(reader.TokenType)}");
        }

        string? apiVersion = null, kind = null;
        AdmissionRequest? request = null;
        var seen = new Seen(ReviewNames, "$");
        while (seen.Next(ref reader, out var member))
        {
            switch (member)
            {
                case 0: apiVersion = String(ref reader, "$", "apiVersion"); break;
                case 1: kind = String(ref reader, "$", "kind"); break;
                case 2: request = Nullable(ref reader, "$", "request") ? null : ReadRequest(ref reader, body, parts); break;
                default: reader.Skip(); break;
            }
        }

        return new AdmissionReview { ApiVersion = apiVersion, Kind = kind, Request = request };
    }

    private static AdmissionRequest ReadRequest(ref Utf8JsonReader reader, ReadOnlyMemory<byte> body, ObjectParts parts)
    {
        const string Path = "$.request";
        string? uid = null, subResource = null, requestSubResource = null, name = null, ns = null, operation = null;
        GroupVersionKind? kind = null, requestKind = null;
        GroupVersionResource? resource = null, requestResource = null;
        UserInfo? userInfo = null;
        RawJson? obj = null, oldObject = null, options = null;
        bool? dryRun = null;
        var seen = new Seen(RequestNames, Path);
        while (seen.Next(ref reader, out var member))
        {
            switch (member)
            {
                case 0: uid = String(ref reader, Path, "uid", share: false); break;
                case 1: kind = Nullable(ref reader, Path, "kind") ? null : ReadKind(ref reader, Path + ".kind"); break;
                case 2: resource = Nullable(ref reader, Path, "resource") ? null : ReadResource(ref reader, Path + ".resource"); break;
                case 3: subResource = String(ref reader, Path, "subResource"); break;
                case 4: requestKind = Nullable(ref reader, Path, "requestKind") ? null : ReadKind(ref reader, Path + ".requestKind"); break;
                case 5: requestResource = Nullable(ref reader, Path, "requestResource") ? null : ReadResource(ref reader, Path + ".requestResource"); break;
                case 6: requestSubResource = String(ref reader, Path, "requestSubResource"); break;
                case 7: name = String(ref reader, Path, "name"); break;
                case 8: ns = String(ref reader, Path, "namespace"); break;
                case 9: operation = String(ref reader, Path, "operation"); break;
                case 10: userInfo = Nullable(ref reader, Path, "userInfo") ? null : ReadUserInfo(ref reader, Path + ".userInfo"); break;
                case 11: obj = Object(ref reader, body, kind, parts); break;
                case 12: oldObject = Object(ref reader, body, kind, parts); break;
                case 13: dryRun = Bool(ref reader, Path, "dryRun"); break;
                case 14: options = Raw(ref reader, body); break;
                default: reader.Skip(); break;
            }
        }

        return new AdmissionRequest
        {
            Uid = uid,
            Kind = kind,
            Resource = resource,
            SubResource = subResource,
            RequestKind = requestKind,
            RequestResource = requestResource,
            RequestSubResource = requestSubResource,
            Name = name,
            Namespace = ns,
            Operation = operation,
            UserInfo = userInfo,
            Object = obj,
            OldObject = oldObject,
            DryRun = dryRun,
            Options = options,
        };
    }

    private static GroupVersionKind ReadKind(ref Utf8JsonReader reader, string path)
    {
        var (group, version, kind) = ReadGroupVersion(ref reader, KindNames, path);
        return new GroupVersionKind { Group = group, Version = version, Kind = kind };
    }

    private static GroupVersionResource ReadResource(ref Utf8JsonReader reader, string path)
    {
        var (group, version, resource) = ReadGroupVersion(ref reader, ResourceNames, path);
        return new GroupVersionResource { Group = group, Version = version, Resource = resource };
    }

    /// <summary>The strings of a group/version record: group, version, and the kind or resource, as <paramref name="names"/> orders them.</summary>
    private static (string? Group, string? Version, string? Name) ReadGroupVersion(ref Utf8JsonReader reader, Names names, string path)
    {
        string? group = null, version = null, name = null;
        var seen = new Seen(names, path);
        while (seen.Next(ref reader, out var member))
        {
            switch (member)
            {
                case 0: group = String(ref reader, path, names.Text[0]); break;
                case 1: version = String(ref reader, path, names.Text[1]); break;
                case 2: name = String(ref reader, path, names.Text[2]); break;
                default: reader.Skip(); break;
            }
        }

        return (group, version, name);
    }

    private static UserInfo ReadUserInfo(ref Utf8JsonReader reader, string path)
    {
        string? username = null, uid = null;
        string[]? groups = null;
        Dictionary<string, IReadOnlyList<string>>? extra = null;
        var seen = new Seen(UserInfoNames, path);
        while (seen.Next(ref reader, out var member))
        {
            switch (member)
            {
                case 0: username = String(ref reader, path, "username"); break;
                case 1: uid = String(ref reader, path, "uid"); break;
                case 2: groups = Strings(ref reader, path, "groups"); break;
                case 3: extra = Nullable(ref reader, path, "extra") ? null : ReadExtra(ref reader, path + ".extra"); break;
                default: reader.Skip(); break;
            }
        }

        return new UserInfo { Username = username, Uid = uid, Groups = groups, Extra = extra };
    }

    private static Dictionary<string, IReadOnlyList<string>> ReadExtra(ref Utf8JsonReader reader, string path)
    {
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = Text(ref reader, path, "(a key)");
            if (extra.ContainsKey(key))
            {
                throw new JsonException($"{path}.{key} is given twice");
            }

            reader.Read();
            extra[key] = Strings(ref reader, path, key) ?? [];
        }

        return extra;
    }

    // The readers below take the parent's path and the member's name apart, and join them only for an error message.

    /// <summary>An array of strings (null when null).</summary>
    private static string[]? Strings(ref Utf8JsonReader reader, string path, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"{path}.{name} must be an array of strings, got {Describe(reader.TokenType)}");
        }

        var result = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"{path}.{name}[{result.Count}] must be a string, got {Describe(reader.TokenType)}");
            }

            result.Add(Text(ref reader, path, name));
        }

        return [.. result];
    }

    private static string? String(ref Utf8JsonReader reader, string path, string name, bool share = true) => reader.TokenType switch
    {
        JsonTokenType.String => Text(ref reader, path, name, share),
        JsonTokenType.Null => null,
        var token => throw new JsonException($"{path}.{name} must be a string, got {Describe(token)}"),
    };

    /// <summary>
    /// The current string or member name, decoded: text that is not UTF-8 is an error in the JSON like any other. Short
    /// texts are shared (<see cref="SharedStrings"/>) unless <paramref name="share"/> is false: the request's own uid
    /// never comes back.
    /// </summary>
    private static string Text(ref Utf8JsonReader reader, string path, string name, bool share = true)
    {
        try
        {
            return share ? KubeJson.Strings.Get(ref reader) : reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException($"{path}.{name} is not valid UTF-8", ex);
        }
    }

    private static bool? Bool(ref Utf8JsonReader reader, string path, string name) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Null => null,
        var token => throw new JsonException($"{path}.{name} must be true or false, got {Describe(token)}"),
    };

    /// <summary>True for null; otherwise the value must be an object, which the caller then reads.</summary>
    private static bool Nullable(ref Utf8JsonReader reader, string path, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"{path}.{name} must be an object, got {Describe(reader.TokenType)}");
        }

        return false;
    }

    /// <summary>
    /// The object or old object: read as a StatefulSet in this same pass when the request's kind (which the apiserver
    /// writes first) says it is one, else kept as its bytes. One that does not read as a StatefulSet is kept as its
    /// bytes too, for the handler to report.
    /// </summary>
    private static RawJson? Object(ref Utf8JsonReader reader, ReadOnlyMemory<byte> body, GroupVersionKind? kind, ObjectParts parts)
    {
        if (kind is not { Group: "apps", Kind: "StatefulSet" } || reader.TokenType != JsonTokenType.StartObject)
        {
            return Raw(ref reader, body);
        }

        var start = (int)reader.TokenStartIndex;
        var restart = reader;
        try
        {
            var statefulSet = AdmissionObjects.ReadStatefulSet(ref reader, body, parts, out var template);
            return new RawJson(body[start..(int)reader.BytesConsumed], JsonValueKind.Object) { StatefulSet = (statefulSet, template) };
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            reader = restart;
            return Raw(ref reader, body);
        }
    }

    /// <summary>Any JSON value, kept as its bytes (null reads as absent): the handler checks what an operation needs.</summary>
    private static RawJson? Raw(ref Utf8JsonReader reader, ReadOnlyMemory<byte> body)
    {
        var token = reader.TokenType;
        if (token == JsonTokenType.Null)
        {
            return null;
        }

        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        var kind = token switch
        {
            JsonTokenType.StartObject => JsonValueKind.Object,
            JsonTokenType.StartArray => JsonValueKind.Array,
            JsonTokenType.String => JsonValueKind.String,
            JsonTokenType.Number => JsonValueKind.Number,
            JsonTokenType.True => JsonValueKind.True,
            _ => JsonValueKind.False,
        };
        return new RawJson(body[start..(int)reader.BytesConsumed], kind);
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        _ => "null",
    };

    /// <summary>The member names an envelope object is read for, as UTF-8, in the order of their numbers.</summary>
    private sealed class Names(params string[] names)
    {
        public string[] Text { get; } = names;

        public byte[][] Utf8 { get; } = [.. names.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>
    /// Walks the members of one envelope object, numbering the known ones and rejecting any name given twice: known
    /// names are remembered in a bit set, others (rare) in a set made on demand.
    /// </summary>
    private struct Seen(Names names, string path)
    {
        private long known;
        private HashSet<string>? others;

        /// <summary>Moves to the next member's value; false at the end of the object.</summary>
        /// <param name="member">The known name's number, or -1 for a name the reader skips.</param>
        public bool Next(ref Utf8JsonReader reader, out int member)
        {
            member = -1;
            if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
            {
                return false;
            }

            var utf8 = names.Utf8;
            for (var i = 0; i < utf8.Length; i++)
            {
                if (reader.ValueTextEquals(utf8[i]))
                {
                    member = i;
                    break;
                }
            }

            if (member < 0)
            {
                var name = Text(ref reader, path, "(a member name)");
                if (!(others ??= new HashSet<string>(StringComparer.Ordinal)).Add(name))
                {
                    throw new JsonException($"{path}.{name} is given twice");
                }
            }
            else if ((known & (1L << member)) != 0)
            {
                throw new JsonException($"{path}.{names.Text[member]} is given twice");
            }
            else
            {
                known |= 1L << member;
            }

            reader.Read();
            return true;
        }
    }
}
