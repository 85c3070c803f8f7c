namespace StatefulGuard.Commands.Formats;

/// <summary>What an audit concluded about one StatefulSet; every format says the same.</summary>
internal enum ObjectResult
{
    /// <summary>Enforce mode would deny it.</summary>
    Deny,

    /// <summary>Admitted with warnings.</summary>
    Warn,

    /// <summary>Nothing to report (waived findings aside).</summary>
    Ok,

    /// <summary>Not evaluated: its namespace's mode is off.</summary>
    Skipped,
}
