using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// Every rule StatefulGuard has: a rule is a public class implementing <see cref="IRule"/> with a public parameterless
/// constructor. The list of them (<c>BuiltInRules</c>) is written at compile time by StatefulGuard.Generators, so adding
/// a rule needs no central list, and the native build finds the rules without reflection.
/// </summary>
public sealed partial class RuleCatalog
{
    private static readonly Lazy<RuleCatalog> BuiltIn = new(() => new RuleCatalog(BuiltInRules()));

    private readonly Dictionary<string, IRule> byId;

    public RuleCatalog(IEnumerable<IRule> rules)
    {
        Rules = rules.OrderBy(r => r.Descriptor.Id, StringComparer.Ordinal).ToArray();
        byId = new Dictionary<string, IRule>(StringComparer.Ordinal);
        foreach (var rule in Rules)
        {
            if (!byId.TryAdd(rule.Descriptor.Id, rule))
            {
                throw new InvalidOperationException($"two rules share the id '{rule.Descriptor.Id}'");
            }
        }
    }

    /// <summary>The rules shipped with StatefulGuard.</summary>
    public static RuleCatalog Default => BuiltIn.Value;

    public IReadOnlyList<IRule> Rules { get; }

    public IRule? Find(string id) => byId.GetValueOrDefault(id);
}
