namespace StatefulGuard.Core.Exceptions;

/// <summary>The bounds a platform team sets on exceptions (<c>StatefulGuard:Exceptions</c>).</summary>
/// <param name="MaxLifetimeDays">How long after its creation an exception may expire.</param>
/// <param name="RequireExpiry">False allows exceptions without <c>spec.expires</c> (permanent ones).</param>
public sealed record ExceptionPolicy(int MaxLifetimeDays = 180, bool RequireExpiry = true);
