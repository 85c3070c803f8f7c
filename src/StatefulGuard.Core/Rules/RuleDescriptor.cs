namespace StatefulGuard.Core.Rules;

public enum RuleKind
{
    Validating,
    Mutating,
}

/// <summary>The stable, public identity of a rule: its id appears in configuration, messages and fixtures.</summary>
/// <param name="Id">Kebab-case, stable.</param>
/// <param name="Kind">Validating or mutating.</param>
/// <param name="DefaultAction">What a violation does unless configuration says otherwise.</param>
/// <param name="Description">One line: what the rule checks or injects.</param>
public sealed record RuleDescriptor(string Id, RuleKind Kind, RuleAction DefaultAction, string Description)
{
    /// <summary>Why it matters and how to comply, for reports (SARIF help, <c>statefulguard rules</c>).</summary>
    public string Help { get; init; } = "";
}
