namespace StatefulGuard.Core.Engine;

public enum GuardMode
{
    /// <summary>Deny what the rules deny, inject defaults.</summary>
    Enforce,

    /// <summary>Never deny, never patch: report everything as warnings.</summary>
    Audit,

    /// <summary>Allow everything untouched.</summary>
    Off,
}
