namespace StatefulGuard.Tests.Support;

/// <summary>What the fake apiserver does instead of answering a request a fault targets.</summary>
public enum ApiFault
{
    /// <summary>Never answers (until the fault is lifted: then the connection is dropped).</summary>
    Hang,

    /// <summary>Drops the connection at once.</summary>
    Reset,

    /// <summary>Answers 200 with the first half of the real answer (a watch: half an event, then the end of the stream).</summary>
    Truncated,

    /// <summary>Answers 200 with JSON of another shape (a write is carried out first; its answer is replaced).</summary>
    WrongShape,

    /// <summary>500 with an InternalError Status.</summary>
    ServerError,

    /// <summary>429 with a TooManyRequests Status and <c>Retry-After: 1</c>.</summary>
    TooManyRequests,

    /// <summary>410 Expired (a watch: an ERROR event with a 410 Status, as the apiserver streams it).</summary>
    Gone,
}
