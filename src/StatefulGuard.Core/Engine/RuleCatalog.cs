using System.Reflection;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// Every rule StatefulGuard has, found by reflection: a rule is a class implementing <see cref="IRule"/>
/// with a parameterless constructor, so adding one needs no central list.
/// </summary>
public sealed class RuleCatalog
{
    private static readonly Lazy<RuleCatalog> BuiltIn = new(() => FromAssemblies(typeof(RuleCatalog).Assembly));

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

    /// <summary>
    /// Every public, non-abstract <see cref="IRule"/> class with a parameterless constructor. Only public types are
    /// looked at: loading every type would also load what internal helpers derive from (generated regular
    /// expressions, for one, and with them an assembly the webhook otherwise never needs).
    /// </summary>
    public static RuleCatalog FromAssemblies(params Assembly[] assemblies) =>
        new(assemblies
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IRule).IsAssignableFrom(t)
                        && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IRule)Activator.CreateInstance(t)!));
}
