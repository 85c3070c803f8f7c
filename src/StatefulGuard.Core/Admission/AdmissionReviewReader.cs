using System.Buffers;
using System.Text.Json;

namespace StatefulGuard.Core.Admission;

/// <summary>
/// Reads an AdmissionReview from the request body with one parse: the envelope's fields are read off the parsed
/// document, and <c>object</c>, <c>oldObject</c> and <c>options</c> are elements of that same document (valid
/// while it lives), not copies, so the StatefulSet inside is deserialized straight from the request's bytes.
/// Duplicate keys anywhere and nesting deeper than <see cref="AdmissionJsonContext.MaxDepth"/> are rejected.
/// </summary>
public static class AdmissionReviewReader
{
    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = AdmissionJsonContext.MaxDepth,
        AllowDuplicateProperties = false,
    };

    /// <summary>Parses <paramref name="body"/>; the caller disposes the document once done with the review.</summary>
    /// <exception cref="JsonException">The body is not JSON, or a field of the envelope has the wrong type.</exception>
    public static AdmissionReview Parse(ReadOnlySequence<byte> body, out JsonDocument document)
    {
        document = JsonDocument.Parse(body, DocumentOptions);
        try
        {
            return Read(document.RootElement);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>The envelope of <paramref name="root"/>; unknown fields are ignored, as the apiserver may add some.</summary>
    public static AdmissionReview Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"$ must be an object, got {Describe(root.ValueKind)}");
        }

        return new AdmissionReview
        {
            ApiVersion = String(root, "apiVersion", "$"),
            Kind = String(root, "kind", "$"),
            Request = Object(root, "request", "$") is { } request ? ReadRequest(request) : null,
        };
    }

    private static AdmissionRequest ReadRequest(JsonElement request)
    {
        const string Path = "$.request";
        return new AdmissionRequest
        {
            Uid = String(request, "uid", Path),
            Kind = Object(request, "kind", Path) is { } kind ? ReadKind(kind, Path + ".kind") : null,
            Resource = Object(request, "resource", Path) is { } resource ? ReadResource(resource, Path + ".resource") : null,
            SubResource = String(request, "subResource", Path),
            RequestKind = Object(request, "requestKind", Path) is { } requestKind ? ReadKind(requestKind, Path + ".requestKind") : null,
            RequestResource = Object(request, "requestResource", Path) is { } requestResource
                ? ReadResource(requestResource, Path + ".requestResource")
                : null,
            RequestSubResource = String(request, "requestSubResource", Path),
            Name = String(request, "name", Path),
            Namespace = String(request, "namespace", Path),
            Operation = String(request, "operation", Path),
            UserInfo = Object(request, "userInfo", Path) is { } userInfo ? ReadUserInfo(userInfo, Path + ".userInfo") : null,
            Object = Element(request, "object"),
            OldObject = Element(request, "oldObject"),
            DryRun = Bool(request, "dryRun", Path),
            Options = Element(request, "options"),
        };
    }

    // The envelope's small records are read field by field like the rest: the serializer's path for init-only
    // records (a constructor-argument cache per object) cost more than the whole envelope otherwise.
    private static GroupVersionKind ReadKind(JsonElement kind, string path) => new()
    {
        Group = String(kind, "group", path),
        Version = String(kind, "version", path),
        Kind = String(kind, "kind", path),
    };

    private static GroupVersionResource ReadResource(JsonElement resource, string path) => new()
    {
        Group = String(resource, "group", path),
        Version = String(resource, "version", path),
        Resource = String(resource, "resource", path),
    };

    private static UserInfo ReadUserInfo(JsonElement userInfo, string path)
    {
        Dictionary<string, IReadOnlyList<string>>? extra = null;
        if (Object(userInfo, "extra", path) is { } extraJson)
        {
            extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var entry in extraJson.EnumerateObject())
            {
                extra[entry.Name] = Strings(entry.Value, $"{path}.extra.{entry.Name}") ?? [];
            }
        }

        return new UserInfo
        {
            Username = String(userInfo, "username", path),
            Uid = String(userInfo, "uid", path),
            Groups = userInfo.TryGetProperty("groups", out var groups) ? Strings(groups, path + ".groups") : null,
            Extra = extra,
        };
    }

    /// <summary>An array of strings (null when null).</summary>
    private static string[]? Strings(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException($"{path} must be an array of strings, got {Describe(value.ValueKind)}");
        }

        var result = new string[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new JsonException($"{path}[{i}] must be a string, got {Describe(item.ValueKind)}");
            }

            result[i++] = item.GetString()!;
        }

        return result;
    }

    private static string? String(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            var kind => throw new JsonException($"{path}.{name} must be a string, got {Describe(kind)}"),
        } : null;

    private static bool? Bool(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            var kind => throw new JsonException($"{path}.{name} must be true or false, got {Describe(kind)}"),
        } : null;

    private static JsonElement? Object(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.Object => value,
            JsonValueKind.Null => null,
            var kind => throw new JsonException($"{path}.{name} must be an object, got {Describe(kind)}"),
        } : null;

    /// <summary>Any JSON value, kept as it is: the handler checks what an operation needs.</summary>
    private static JsonElement? Element(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
