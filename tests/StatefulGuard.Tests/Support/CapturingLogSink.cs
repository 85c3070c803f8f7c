using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace StatefulGuard.Tests.Support;

/// <summary>Keeps structured log events (message template values included) for assertions; register it as a service.</summary>
public sealed class CapturingLogSink : ILogEventSink
{
    public ConcurrentQueue<Captured> Events { get; } = new();

    public void Emit(LogEvent logEvent)
    {
        var values = logEvent.Properties.ToDictionary(p => p.Key, p => p.Value is ScalarValue scalar ? scalar.Value : (object?)p.Value.ToString());
        var category = values.GetValueOrDefault("SourceContext") as string ?? "";
        Events.Enqueue(new Captured(category, logEvent.Level, logEvent.RenderMessage(), values));
    }

    public sealed record Captured(string Category, LogEventLevel Level, string Message, IReadOnlyDictionary<string, object?> Values);
}
