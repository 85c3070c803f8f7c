using Serilog.Events;
using Serilog.Parsing;

namespace StatefulGuard.Serve;

/// <summary>
/// The line every admission writes, handed straight to Serilog with its template parsed once. Through the
/// Microsoft.Extensions.Logging bridge each event also had its values enumerated, boxed and copied into a
/// dictionary and an event id attached: microseconds and a kilobyte or two on every admission. Enrichers (the
/// connection id among them) and sinks are the same.
/// </summary>
internal sealed class DecisionLog(Serilog.ILogger logger)
{
    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse(
        "Admission {Endpoint} {Uid} {Operation} {Kind} {Namespace}/{Name}: allowed={Allowed} rules=[{Rules}] mode={Mode} dryRun={DryRun} in {DurationMs:0.000} ms");

    private static readonly ScalarValue True = new(true);
    private static readonly ScalarValue False = new(false);

    private readonly Serilog.ILogger log = logger.ForContext<AdmissionHandler>();

    public void Write(string endpoint, string uid, string operation, string kind, string @namespace, string name, bool allowed,
        string rules, string mode, bool dryRun, double durationMs)
    {
        if (!log.IsEnabled(LogEventLevel.Information))
        {
            return;
        }

        log.Write(new LogEvent(DateTimeOffset.Now, LogEventLevel.Information, null, Template,
        [
            new LogEventProperty("Endpoint", new ScalarValue(endpoint)),
            new LogEventProperty("Uid", new ScalarValue(uid)),
            new LogEventProperty("Operation", new ScalarValue(operation)),
            new LogEventProperty("Kind", new ScalarValue(kind)),
            new LogEventProperty("Namespace", new ScalarValue(@namespace)),
            new LogEventProperty("Name", new ScalarValue(name)),
            new LogEventProperty("Allowed", allowed ? True : False),
            new LogEventProperty("Rules", new ScalarValue(rules)),
            new LogEventProperty("Mode", new ScalarValue(mode)),
            new LogEventProperty("DryRun", dryRun ? True : False),
            new LogEventProperty("DurationMs", new ScalarValue(durationMs)),
        ]));
    }
}
