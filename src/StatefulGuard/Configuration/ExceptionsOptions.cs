namespace StatefulGuard.Configuration;

/// <summary>Bounds on StatefulGuardExceptions, held when one is created or updated and whenever it would waive a rule.</summary>
public sealed class ExceptionsOptions
{
    /// <summary>How far after its creation an exception's <c>spec.expires</c> may lie.</summary>
    public int MaxLifetimeDays { get; set; } = 180;

    /// <summary>False allows exceptions without an expiry.</summary>
    public bool RequireExpiry { get; set; } = true;

    public Core.Exceptions.ExceptionPolicy Policy => new(MaxLifetimeDays, RequireExpiry);
}
