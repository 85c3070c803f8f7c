using System.Buffers;
using System.Text.Json;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// UTF-8 JSON in an array rented from the shared pool; <see cref="Dispose"/> returns it, once however often it is
/// called. A class, not a struct: a copy of a struct would return the same array twice and corrupt the pool.
/// </summary>
public sealed class PooledJson : IDisposable
{
    private byte[]? array;

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

    public ReadOnlySpan<byte> Span => Rented.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => Rented.AsMemory(0, Length);

    private byte[] Rented => array ?? throw new ObjectDisposedException(nameof(PooledJson));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref array, null) is { } rented)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
