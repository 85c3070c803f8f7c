namespace StatefulGuard.Core.Rules;

/// <summary>The stable, public identity of a rule: its id appears in configuration, messages and fixtures.</summary>
/// <param name="Id">Kebab-case, stable.</param>
/// <param name="Kind">Validating or mutating.</param>
/// <param name="DefaultAction">What a violation does unless configuration says otherwise.</param>
/// <param name="Description">One line: what the rule checks or injects.</param>
public sealed record RuleDescriptor(string Id, RuleKind Kind, RuleAction DefaultAction, string Description)
{
    /// <summary>Why it matters and how to comply, for reports (SARIF help, <c>statefulguard rules</c>).</summary>
    public string Help { get; init; } = "";

    /// <summary>
    /// The cluster kinds the rule looks up (beyond the Namespace and StatefulGuardExceptions the engine reads for every
    /// rule). Policy reports re-evaluate a StatefulSet when an object of these kinds changes; a test holds each rule to
    /// its declaration.
    /// </summary>
    public IReadOnlyList<Cluster.ClusterKind> Reads { get; init; } = [];

    /// <summary>
    /// The members of the StatefulSet's <c>spec</c> the rule reads; null for all of them. Mutating rules must declare
    /// theirs: <c>/mutate</c> reads only what they declared (<see cref="Admission.ObjectParts.Mutation"/>).
    /// </summary>
    public IReadOnlyList<string>? SpecFields { get; init; }

    /// <summary>What a report groups the rule under (Reachability, Availability, Storage, Workload, Security).</summary>
    public string Category { get; init; } = "General";

    public RuleSeverity Severity { get; init; } = RuleSeverity.Medium;
}
