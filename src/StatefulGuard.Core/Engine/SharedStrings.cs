using System.Text.Json;
using System.Text.Json.Serialization;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// Reads short JSON strings as shared instances. Kubernetes objects repeat the same short texts in every object and on
/// every update (<c>TCP</c>, <c>IfNotPresent</c>, <c>ClusterFirst</c>, <c>apps/v1</c>, label keys and values, names,
/// images): reading each as a new string was a fifth of what an admission allocated. A table of <see cref="Slots"/>
/// entries keyed by the UTF-8 bytes, two slots per hash: a text one of its slots holds is returned without decoding
/// or allocating; any other is decoded as usual and takes a slot, so texts that keep coming back stay and one-off
/// texts (uids, resource versions) only ever displace one entry. Lock-free (a slot is one reference, written whole); the
/// table's size is fixed, whatever the input.
/// </summary>
public sealed class SharedStrings : JsonConverter<string>
{
    public const int Slots = 4096;

    /// <summary>The longest text (in UTF-8 bytes) that is shared; longer ones are read as usual.</summary>
    public const int MaxLength = 64;

    private readonly Entry?[] table = new Entry?[Slots];

    /// <summary>The string the reader is on (a string token or a property name), shared when it is short and unescaped.</summary>
    /// <exception cref="InvalidOperationException">Not a string, or not valid UTF-8 (as <see cref="Utf8JsonReader.GetString"/>).</exception>
    public string Get(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxLength
            || reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            return reader.GetString()!;
        }

        // Two slots per text, so that two frequent texts whose hashes meet do not keep displacing each other.
        var utf8 = reader.ValueSpan;
        var slot = Slot(utf8);
        var first = Volatile.Read(ref table[slot]);
        if (first is not null && utf8.SequenceEqual(first.Utf8))
        {
            return first.Text;
        }

        var second = Volatile.Read(ref table[slot ^ 1]);
        if (second is not null && utf8.SequenceEqual(second.Utf8))
        {
            return second.Text;
        }

        // Decoded (and so checked as UTF-8) as the reader does; only a valid text takes a slot: a free one, else the
        // second (the first keeps what came earlier).
        var text = reader.GetString()!;
        Volatile.Write(ref table[first is null ? slot : slot ^ 1], new Entry(utf8.ToArray(), text));
        return text;
    }

    /// <remarks>Any other token fails in <see cref="Utf8JsonReader.GetString"/>, as with the serializer's own converter (same message and path).</remarks>
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Get(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Get(ref reader);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    internal static int Slot(ReadOnlySpan<byte> utf8)
    {
        var hash = new HashCode();
        hash.AddBytes(utf8);
        return hash.ToHashCode() & (Slots - 1);
    }

    /// <summary>A text and its UTF-8 bytes, compared on lookup (made once, never changed).</summary>
    private sealed record Entry(byte[] Utf8, string Text);
}
