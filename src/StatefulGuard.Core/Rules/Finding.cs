namespace StatefulGuard.Core.Rules;

/// <summary>
/// One violation reported by a rule. <see cref="Code"/> distinguishes the ways a rule can fail and,
/// together with the rule id and path, identifies the violation across an object's versions.
/// </summary>
/// <param name="RuleId">The reporting rule's id.</param>
/// <param name="Code">A stable kebab-case code for the kind of violation.</param>
/// <param name="Message">What is wrong, in one short sentence.</param>
/// <param name="Fix">What to change to fix it.</param>
/// <param name="Path">The offending field, e.g. <c>spec.serviceName</c>.</param>
/// <param name="Unverifiable">
/// The rule could not decide because cluster state it needs is unknown (no cluster access, caches not synced).
/// The engine applies the configured policy for unverifiable lookups instead of the rule's action.
/// </param>
public sealed record Finding(string RuleId, string Code, string Message, string Fix, string? Path, bool Unverifiable = false)
{
    /// <summary>
    /// What is wrong and the fix in a few words, for an admission warning that must fit in 120 characters whole;
    /// empty when <see cref="Message"/> is short enough itself. The full message and fix stay in logs and reports.
    /// </summary>
    public string Summary { get; init; } = "";

    /// <summary>
    /// The object that fixes the finding when one is missing (the governing Service, a PodDisruptionBudget), as it would
    /// be added beside the StatefulSet: reports offer it, <c>mutate --companions</c> prints it.
    /// </summary>
    public System.Text.Json.Nodes.JsonObject? Suggested { get; init; }

    /// <summary>The text an admission warning carries.</summary>
    public string Short => Summary.Length > 0 ? Summary : Message;

    public bool SameViolationAs(Finding other) =>
        RuleId == other.RuleId && Code == other.Code && Path == other.Path;
}
