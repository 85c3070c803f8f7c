namespace StatefulGuard.Core.Cluster.Api;

/// <summary>A successful answer whose body is not what the request returns: truncated JSON, or JSON of another shape.</summary>
public sealed class MalformedResponseException : Exception
{
    public MalformedResponseException(string message)
        : base(message)
    {
    }

    public MalformedResponseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MalformedResponseException()
        : this("the apiserver's answer is not what was asked for")
    {
    }
}
