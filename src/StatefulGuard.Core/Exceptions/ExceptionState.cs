namespace StatefulGuard.Core.Exceptions;

/// <summary>Where an exception stands at a moment.</summary>
public enum ExceptionState
{
    Active,

    /// <summary>Active, and expiring within <see cref="Waivers.ExpiringSoon"/>.</summary>
    ExpiringSoon,

    Expired,
}
