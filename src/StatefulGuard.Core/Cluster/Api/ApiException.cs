using System.Net;

namespace StatefulGuard.Core.Cluster.Api;

/// <summary>The apiserver answered with an error status (its <c>Status</c> object's reason and message, when it sent one).</summary>
public sealed class ApiException : Exception
{
    public ApiException(int statusCode, string? reason, string message, TimeSpan? retryAfter = null)
        : base($"{statusCode} {reason}: {message}".Replace(" : ", ": ", StringComparison.Ordinal))
    {
        StatusCode = statusCode;
        Reason = reason;
        RetryAfter = retryAfter;
    }

    public ApiException()
        : this(0, null, "the apiserver answered with an error")
    {
    }

    public ApiException(string message)
        : this(0, null, message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int StatusCode { get; }

    /// <summary>The Status object's <c>reason</c> (<c>NotFound</c>, <c>Conflict</c>, <c>Expired</c>, ...).</summary>
    public string? Reason { get; }

    /// <summary>How long the apiserver asked to wait before the next try (429 and 503 answers).</summary>
    public TimeSpan? RetryAfter { get; }

    public bool IsNotFound => StatusCode == (int)HttpStatusCode.NotFound;

    public bool IsConflict => StatusCode == (int)HttpStatusCode.Conflict;

    /// <summary>The resourceVersion asked for is older than the apiserver keeps: list again.</summary>
    public bool IsGone => StatusCode == (int)HttpStatusCode.Gone;
}
