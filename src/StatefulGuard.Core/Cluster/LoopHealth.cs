using Microsoft.Extensions.Logging;

namespace StatefulGuard.Core.Cluster;

/// <summary>
/// What a background loop says about its failures: one warning when it starts failing (and when the failure changes),
/// nothing more while it keeps failing the same way, one line when it works again. A loop that retries every few seconds
/// through an outage logs two lines, not thousands.
/// </summary>
public sealed partial class LoopHealth(ILogger logger, string loop)
{
    private readonly Lock gate = new();
    private string? failing;
    private int failures;

    /// <summary>Whether the last attempt failed.</summary>
    public bool Failing
    {
        get
        {
            lock (gate)
            {
                return failing is not null;
            }
        }
    }

    /// <summary>Failed attempts since the loop last worked.</summary>
    public int Failures
    {
        get
        {
            lock (gate)
            {
                return failures;
            }
        }
    }

    /// <summary>Raised when the loop starts or stops failing.</summary>
    public event Action<bool>? Changed;

    public void Failed(Exception exception, TimeSpan retryIn) => Failed(Describe(exception), retryIn);

    /// <param name="what">The failure in one line.</param>
    public void Failed(string what, TimeSpan retryIn)
    {
        bool started, changed;
        lock (gate)
        {
            failures++;
            started = failing is null;
            changed = !string.Equals(failing, what, StringComparison.Ordinal);
            failing = what;
        }

        if (changed)
        {
            LogFailing(logger, loop, what, retryIn.TotalSeconds);
        }
        else
        {
            LogStillFailing(logger, loop, what, retryIn.TotalSeconds);
        }

        if (started)
        {
            Changed?.Invoke(true);
        }
    }

    public void Succeeded()
    {
        int count;
        lock (gate)
        {
            if (failing is null)
            {
                return;
            }

            count = failures;
            failing = null;
            failures = 0;
        }

        LogRecovered(logger, loop, count);
        Changed?.Invoke(false);
    }

    /// <summary>The failure in one line: a timeout and a reset say so, an error status says its code and reason.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        Api.ApiException api => $"the apiserver answered {api.Message}",
        Api.MalformedResponseException => $"the apiserver's answer could not be read ({exception.Message})",
        TimeoutException => exception.Message,
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Loop}: {Error}; retrying in {RetrySeconds:0.0} s (said once until it changes)")]
    private static partial void LogFailing(ILogger logger, string loop, string error, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Loop}: still failing: {Error}; retrying in {RetrySeconds:0.0} s")]
    private static partial void LogStillFailing(ILogger logger, string loop, string error, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Loop}: working again after {Failures} failed attempts")]
    private static partial void LogRecovered(ILogger logger, string loop, int failures);
}
