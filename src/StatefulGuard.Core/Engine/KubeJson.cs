using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// StatefulGuard's serializer options: a copy of KubernetesClient's (its converters for quantities, int-or-string
/// and times) with <see cref="KubeModelsContext"/> first among its resolvers and <see cref="SharedStrings"/> first among
/// its converters. The client's own options are never changed: what the
/// client deserializes by itself is the same whatever StatefulGuard did before.
/// </summary>
public static class KubeJson
{
    /// <summary>Short texts read so far, shared by the objects that hold them.</summary>
    public static SharedStrings Strings { get; } = new();

    private static readonly JsonSerializerOptions Options = Capture();

    private static readonly JsonWriterOptions PooledWriterOptions = new() { Encoder = Options.Encoder, MaxDepth = Options.MaxDepth, SkipValidation = true };

    /// <summary>Read-only: derive a copy to add converters.</summary>
    public static JsonSerializerOptions SerializerOptions => Options;

    /// <summary>The generated serialization of a model type (from <see cref="KubeModelsContext"/> or the client's context).</summary>
    public static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, TypeInfo<T>());

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Options);

    /// <summary>The value as its runtime type serializes.</summary>
    public static JsonNode? ToNode(object value, Type type) => JsonSerializer.SerializeToNode(value, type, Options);

    public static T FromNode<T>(JsonNode node) => node.Deserialize<T>(Options)!;

    public static T FromUtf8<T>(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<T>(json, Options)!;

    /// <summary>
    /// The value's JSON in an array from the shared pool, for JSON that lives only while a request is
    /// handled (the mutation's before and after templates): dispose the result to return the array.
    /// </summary>
    public static PooledJson ToPooledUtf8<T>(T value) =>
        PooledJson.Write(PooledWriterOptions, value, static (writer, v) => JsonSerializer.Serialize(writer, v, Options));

    public static T Clone<T>(T value)
        where T : class => JsonSerializer.SerializeToNode(value, Options) is { } node ? FromNode<T>(node) : value;

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? client = null;
        KubernetesJson.AddJsonOptions(o => client = o);
        if (client is null)
        {
            throw new InvalidOperationException("KubernetesJson did not expose its serializer options");
        }

        var own = new JsonSerializerOptions(client);
        own.TypeInfoResolverChain.Insert(0, KubeModelsContext.Default);
        own.Converters.Insert(0, Strings);
        own.MakeReadOnly();
        return own;
    }
}

/// <summary>UTF-8 JSON in an array rented from the shared pool; <see cref="Dispose"/> returns it.</summary>
public readonly struct PooledJson : IDisposable
{
    private readonly byte[] array;

    public PooledJson(byte[] array, int length)
    {
        this.array = array;
        Length = length;
    }

    public int Length { get; }

    /// <summary>Writes JSON straight into arrays from the shared pool and returns the last one (no scratch buffer, no copy).</summary>
    internal static PooledJson Write<TState>(JsonWriterOptions options, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new PooledBufferWriter(4096);
        try
        {
            using (var json = new Utf8JsonWriter(buffer, options))
            {
                write(json, state);
            }

            return buffer.Detach();
        }
        catch
        {
            buffer.Detach().Dispose();
            throw;
        }
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool, grown by renting a larger one.</summary>
    private sealed class PooledBufferWriter(int initialSize) : IBufferWriter<byte>
    {
        private byte[] buffer = ArrayPool<byte>.Shared.Rent(initialSize);
        private int written;

        public void Advance(int count) => written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            // Reserved first: reserving may replace the array.
            var offset = Reserve(sizeHint);
            return buffer.AsMemory(offset);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            var offset = Reserve(sizeHint);
            return buffer.AsSpan(offset);
        }

        public PooledJson Detach() => new(buffer, written);

        private int Reserve(int sizeHint)
        {
            var needed = Math.Max(sizeHint, 1);
            if (buffer.Length - written < needed)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, written + needed));
                buffer.AsSpan(0, written).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            return written;
        }
    }

    /// <summary>A pooled copy of <paramref name="json"/>.</summary>
    public static PooledJson CopyOf(ReadOnlySpan<byte> json)
    {
        var array = ArrayPool<byte>.Shared.Rent(json.Length);
        json.CopyTo(array);
        return new PooledJson(array, json.Length);
    }

    public ReadOnlySpan<byte> Span => array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => array.AsMemory(0, Length);

    public void Dispose() => ArrayPool<byte>.Shared.Return(array);
}
