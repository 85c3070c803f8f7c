using System.Collections.Concurrent;
using System.Text;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting;

namespace StatefulGuard.Serve;

/// <summary>
/// Writes log events to standard output from a background loop that wakes on a short fixed interval: a
/// request thread only enqueues (no lock, no thread wake-up, no console write per event), and each interval's
/// events are formatted and written in one buffered write. The interval is short so that few events are alive
/// when the garbage collector runs (under load, a longer one had it copying thousands of queued events).
/// Events beyond <see cref="QueueLimit"/> are dropped, never blocking a request, and reported through
/// Serilog's self-log.
/// </summary>
internal sealed class BatchedConsoleSink : ILogEventSink, IDisposable
{
    public const int QueueLimit = 10_000;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    private readonly ITextFormatter formatter;
    private readonly StreamWriter writer;
    private readonly ConcurrentQueue<LogEvent> queue = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private readonly Lock writing = new();

    /// <summary>Each event is formatted here first, so one that fails to format leaves no half line behind.</summary>
    private readonly StringWriter line = new(System.Globalization.CultureInfo.InvariantCulture);
    private int queued;
    private long dropped;

    public BatchedConsoleSink(ITextFormatter formatter, Stream output)
    {
        this.formatter = formatter;
        writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024) { AutoFlush = false };
        loop = Task.Run(RunAsync);
    }

    public void Emit(LogEvent logEvent)
    {
        if (Interlocked.Increment(ref queued) > QueueLimit)
        {
            Interlocked.Decrement(ref queued);
            Interlocked.Increment(ref dropped);
            return;
        }

        queue.Enqueue(logEvent);
    }

    public void Dispose()
    {
        stopping.Cancel();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop reports its own failures; disposing must not throw.
        }

        // A pipe blocked for good must not hang shutdown: give up on the last lines after a while.
        if (!writing.TryEnter(TimeSpan.FromSeconds(5)))
        {
            return;
        }

        try
        {
            DrainLocked();
            writer.Dispose();
            line.Dispose();
        }
        catch (IOException)
        {
            // Already reported by the drain.
        }
        finally
        {
            writing.Exit();
        }

        stopping.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                Drain();
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: the last events are drained by Dispose.
        }
    }

    private void Drain()
    {
        // The loop and Dispose (if the loop is stuck on a blocked pipe) may both drain.
        lock (writing)
        {
            DrainLocked();
        }
    }

    private void DrainLocked()
    {
        try
        {
            var any = false;
            while (queue.TryDequeue(out var logEvent))
            {
                Interlocked.Decrement(ref queued);
                var text = line.GetStringBuilder().Clear();
                try
                {
                    formatter.Format(logEvent, line);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A value whose rendering throws loses its own event, never the loop (and with it all later ones).
                    SelfLog.WriteLine("formatting a log event failed, event dropped: {0}", ex);
                    continue;
                }

                foreach (var chunk in text.GetChunks())
                {
                    writer.Write(chunk.Span);
                }

                if (text.Capacity > 16 * 1024)
                {
                    text.Clear().Capacity = 1024;
                }

                any = true;
            }

            if (Interlocked.Exchange(ref dropped, 0) is > 0 and var lost)
            {
                SelfLog.WriteLine("{0} log events dropped: more than {1} waiting to be written", lost, QueueLimit);
            }

            if (any)
            {
                writer.Flush();
            }
        }
        catch (IOException ex)
        {
            // A closed or broken standard output: logging stops, admissions go on.
            SelfLog.WriteLine("writing log events failed: {0}", ex.Message);
        }
    }
}
