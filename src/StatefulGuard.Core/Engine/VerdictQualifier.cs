namespace StatefulGuard.Core.Engine;

/// <summary>Why a verdict's action differs from the rule's configured one.</summary>
public enum VerdictQualifier
{
    None,

    /// <summary>Audit mode turned a denial into a warning.</summary>
    Audit,

    /// <summary>On UPDATE, the stored object already had this violation: the update did not introduce it.</summary>
    PreExisting,

    /// <summary>The rule could not verify against cluster state.</summary>
    Unverifiable,

    /// <summary>A StatefulGuardException waives the rule for this object: it neither denies nor warns.</summary>
    Waived,
}
