using System.Collections.Frozen;
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

    /// <summary>Values most lines repeat (endpoints, operations, kinds, modes), made once.</summary>
    private static readonly FrozenDictionary<string, ScalarValue> Common =
        new[] { "validate", "mutate", "CREATE", "UPDATE", "DELETE", "CONNECT", "", "StatefulSet", "Service", "Enforce", "Audit", "Off" }
            .ToFrozenDictionary(v => v, v => new ScalarValue(v), StringComparer.Ordinal);

    private readonly Serilog.ILogger log = logger.ForContext<AdmissionHandler>();

    public void Write(string endpoint, string uid, string operation, string kind, string @namespace, string name, bool allowed,
        string rules, string mode, bool dryRun, double durationMs)
    {
        if (!log.IsEnabled(LogEventLevel.Information))
        {
            return;
        }

        // The event's own dictionary, sized once for these and what the enrichers add: built property by property
        // from an array it grew three times, a few hundred bytes each, on every admission.
        var properties = new Dictionary<string, LogEventPropertyValue>(16)
        {
            ["Endpoint"] = Scalar(endpoint),
            ["Uid"] = new ScalarValue(uid),
            ["Operation"] = Scalar(operation),
            ["Kind"] = Scalar(kind),
            ["Namespace"] = new ScalarValue(@namespace),
            ["Name"] = new ScalarValue(name),
            ["Allowed"] = allowed ? True : False,
            ["Rules"] = new ScalarValue(rules),
            ["Mode"] = Scalar(mode),
            ["DryRun"] = dryRun ? True : False,
            ["DurationMs"] = new ScalarValue(durationMs),
        };
        log.Write(LogEvent.UnstableAssembleFromParts(DateTimeOffset.Now, LogEventLevel.Information, null, Template, properties, default, default));
    }

    private static ScalarValue Scalar(string value) => Common.TryGetValue(value, out var common) ? common : new ScalarValue(value);
}
