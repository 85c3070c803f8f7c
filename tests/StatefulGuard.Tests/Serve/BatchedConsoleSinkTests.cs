using System.Text;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;
using StatefulGuard.Serve;

namespace StatefulGuard.Tests.Serve;

public sealed class BatchedConsoleSinkTests
{
    [Fact]
    public void Every_event_is_written_in_order_and_the_last_ones_on_dispose()
    {
        var output = new GatedStream(open: true);
        using (var sink = new BatchedConsoleSink(new LineFormatter(), output))
        {
            for (var i = 0; i < 5_000; i++)
            {
                sink.Emit(Event(i));
            }
        }

        Assert.Equal(Enumerable.Range(0, 5_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), output.Lines());
    }

    [Fact]
    public async Task Events_beyond_the_queue_limit_are_dropped_and_counted_without_blocking_the_caller()
    {
        var droppedBefore = BatchedConsoleSink.Dropped.Value;
        var output = new GatedStream(open: false);
        var sink = new BatchedConsoleSink(new LineFormatter(), output);
        sink.Emit(Event(-1));
        Assert.True(output.Entered.Wait(TimeSpan.FromSeconds(10)), "the background writer never wrote");

        // The writer is stuck on a slow pipe: emitting must neither block nor grow without bound.
        var emitting = Task.Run(() =>
        {
            for (var i = 0; i < BatchedConsoleSink.QueueLimit + 500; i++)
            {
                sink.Emit(Event(i));
            }
        });
        await emitting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(BatchedConsoleSink.Dropped.Value - droppedBefore >= 500, $"{BatchedConsoleSink.Dropped.Value - droppedBefore} counted as dropped");

        output.Open();
        sink.Dispose();

        var lines = output.Lines();
        Assert.Equal(1 + BatchedConsoleSink.QueueLimit, lines.Count);
        Assert.Equal("-1", lines[0]);
        Assert.Equal((BatchedConsoleSink.QueueLimit - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), lines[^1]);
    }

    [Fact]
    public void An_event_that_fails_to_format_is_dropped_whole_and_later_events_are_still_written()
    {
        var output = new GatedStream(open: true);
        using (var sink = new BatchedConsoleSink(new ThrowingFormatter(failOn: "13"), output))
        {
            for (var i = 0; i < 20; i++)
            {
                sink.Emit(Event(i));
            }

            // Events after the failure, in a later batch (once the first batch is out), still reach the output.
            Assert.True(SpinWait.SpinUntil(() => output.Lines().Contains("19"), TimeSpan.FromSeconds(10)));
            sink.Emit(Event(20));
        }

        Assert.Equal(Enumerable.Range(0, 21).Where(i => i != 13).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), output.Lines());
    }

    [Fact]
    public void A_broken_output_loses_log_lines_but_never_throws_and_writing_resumes_when_it_recovers()
    {
        var output = new BrokenStream();
        var sink = new BatchedConsoleSink(new LineFormatter(), output);
        for (var i = 0; i < 100; i++)
        {
            sink.Emit(Event(i));
        }

        // Waits on the output's own counter: the writer has met the broken pipe (and survived it).
        Assert.True(SpinWait.SpinUntil(() => output.FailedWrites > 0, TimeSpan.FromSeconds(10)));
        output.Recover();
        sink.Emit(Event(100));
        sink.Dispose();

        Assert.Contains("100", output.Written().Split('\n').Select(l => l.TrimEnd('\r')));
    }

    private static LogEvent Event(int i) =>
        new(DateTimeOffset.UnixEpoch, LogEventLevel.Information, null,
            new MessageTemplate(i.ToString(System.Globalization.CultureInfo.InvariantCulture), [new TextToken(i.ToString(System.Globalization.CultureInfo.InvariantCulture))]), []);

    private sealed class LineFormatter : ITextFormatter
    {
        public void Format(LogEvent logEvent, TextWriter output) => output.WriteLine(logEvent.MessageTemplate.Text);
    }

    /// <summary>Writes half a line, then throws, for one message: what a value whose rendering throws does.</summary>
    private sealed class ThrowingFormatter(string failOn) : ITextFormatter
    {
        public void Format(LogEvent logEvent, TextWriter output)
        {
            if (logEvent.MessageTemplate.Text == failOn)
            {
                output.Write("half a li");
                throw new FormatException("cannot render");
            }

            output.WriteLine(logEvent.MessageTemplate.Text);
        }
    }

    /// <summary>A pipe that can hold its writer until opened.</summary>
    private sealed class GatedStream(bool open) : MemoryStream
    {
        private readonly ManualResetEventSlim gate = new(open);

        public ManualResetEventSlim Entered { get; } = new();

        public void Open() => gate.Set();

        public List<string> Lines()
        {
            lock (this)
            {
                return Encoding.UTF8.GetString(ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Entered.Set();
            gate.Wait();
            lock (this)
            {
                base.Write(buffer, offset, count);
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);
    }

    /// <summary>An output that fails (a closed pipe) until told to recover.</summary>
    private sealed class BrokenStream : Stream
    {
        private readonly MemoryStream written = new();
        private volatile bool recovered;
        private int failed;

        public int FailedWrites => failed;

        public void Recover() => recovered = true;

        public string Written()
        {
            lock (written)
            {
                return Encoding.UTF8.GetString(written.ToArray());
            }
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => 0;

        public override long Position { get => 0; set { } }

        public override void Flush()
        {
            if (!recovered)
            {
                throw new IOException("broken pipe");
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (!recovered)
            {
                Interlocked.Increment(ref failed);
                throw new IOException("broken pipe");
            }

            lock (written)
            {
                written.Write(buffer, offset, count);
            }
        }
    }
}
