using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// KubernetesClient's quantity conversion (<c>new ResourceQuantity(text)</c> to read, its canonical form to write)
/// with both directions remembered per distinct quantity. A cluster uses a few dozen quantities ("100m", "128Mi",
/// "10Gi"), and the client's parse and canonicalization cost microseconds and allocations each, on every admission
/// and every watch event. <see cref="ResourceQuantity"/> cannot be changed once
/// made, so one instance serves every object that holds the same text. Bounded: past <see cref="Capacity"/>
/// distinct texts, new ones are converted as the client does, without being remembered.
/// </summary>
public sealed class SharedQuantities : JsonConverter<ResourceQuantity>
{
    public const int Capacity = 4096;

    /// <summary>The longest text looked up without allocating (real quantities are a few characters).</summary>
    private const int MaxLookupLength = 64;

    private readonly ConcurrentDictionary<string, ResourceQuantity> byText = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ResourceQuantity, string> canonical = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<string, ResourceQuantity>.AlternateLookup<ReadOnlySpan<char>> byChars;

    /// <summary>The client's own converter (named on the type), for everything but text: numbers, and errors.</summary>
    private readonly JsonConverter<ResourceQuantity> client;

    public SharedQuantities()
    {
        byChars = byText.GetAlternateLookup<ReadOnlySpan<char>>();
        var declared = typeof(ResourceQuantity).GetCustomAttribute<JsonConverterAttribute>()?.ConverterType
            ?? throw new InvalidOperationException("KubernetesClient no longer names a JSON converter on ResourceQuantity");
        client = (JsonConverter<ResourceQuantity>)Activator.CreateInstance(declared)!;
    }

    /// <summary>Distinct quantities remembered so far.</summary>
    public int Count => byText.Count;

    public override ResourceQuantity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return client.Read(ref reader, typeToConvert, options)!;
        }

        if (!reader.ValueIsEscaped && !reader.HasValueSequence && reader.ValueSpan.Length <= MaxLookupLength)
        {
            Span<char> chars = stackalloc char[MaxLookupLength];
            if (Encoding.UTF8.TryGetChars(reader.ValueSpan, chars, out var length) && byChars.TryGetValue(chars[..length], out var known))
            {
                return known;
            }
        }

        // As the client reads text.
        var text = reader.GetString()!;
        if (byText.TryGetValue(text, out var shared))
        {
            return shared;
        }

        var quantity = new ResourceQuantity(text);
        if (byText.Count < Capacity)
        {
            // The canonical form first, so that a remembered instance always has one.
            canonical.TryAdd(quantity, quantity.ToString());
            var winner = byText.GetOrAdd(text, quantity);
            if (!ReferenceEquals(winner, quantity))
            {
                canonical.TryRemove(quantity, out _);
            }

            quantity = winner;
        }

        return quantity;
    }

    public override void Write(Utf8JsonWriter writer, ResourceQuantity value, JsonSerializerOptions options) =>
        writer.WriteStringValue(canonical.TryGetValue(value, out var text) ? text : value.ToString());
}
