using System.Text.RegularExpressions;
using StatefulGuard.Configuration;
using StatefulGuard.Core.Engine;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Docs;

/// <summary>docs/configuration.md's key table and the options the section binds to are the same set of keys.</summary>
public sealed partial class ConfigurationDocsTests
{
    [Fact]
    public void Every_bound_key_is_documented_and_every_documented_key_is_bound()
    {
        var documented = Documented().ToHashSet(StringComparer.Ordinal);
        var bound = Bound(StatefulGuardOptions.SectionName, typeof(StatefulGuardOptions))
            .Concat(RuleCatalog.Default.Rules.SelectMany(rule => rule.OptionsType.GetProperties()
                .Where(p => p.CanWrite && p.Name != nameof(Core.Rules.RuleOptions.Action))
                .Select(p => $"{StatefulGuardOptions.SectionName}:{RuleSet.SectionName}:{rule.Descriptor.Id}:{p.Name}")))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Empty(bound.Except(documented).Order());
        Assert.Empty(documented.Except(bound).Order());
    }

    /// <summary>The keys in the first column of the table: <c>`A:B:C`</c>, and <c>`A:B:C` / `D`</c> for C's sibling D.</summary>
    private static IEnumerable<string> Documented()
    {
        foreach (var line in File.ReadLines(Path.Combine(Repository.Root, "docs", "configuration.md")).Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cell = line.Split('|')[1];
            var keys = Key().Matches(cell).Select(m => m.Groups[1].Value).ToList();
            var first = keys[0];
            if (!first.StartsWith(StatefulGuardOptions.SectionName + ":", StringComparison.Ordinal) || first.Contains('<', StringComparison.Ordinal))
            {
                continue; // Serilog's own keys, and the per-rule Action row
            }

            yield return first;
            var parent = first[..first.LastIndexOf(':')];
            foreach (var sibling in keys.Skip(1))
            {
                yield return $"{parent}:{sibling}";
            }
        }
    }

    /// <summary>Every settable leaf of the options, nested sections included (the rules' section is bound per rule).</summary>
    private static IEnumerable<string> Bound(string prefix, Type type)
    {
        foreach (var property in type.GetProperties().Where(p => p.CanWrite))
        {
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var key = $"{prefix}:{property.Name}";
            if (propertyType.IsClass && propertyType != typeof(string) && !propertyType.IsArray && propertyType.Namespace == typeof(StatefulGuardOptions).Namespace)
            {
                foreach (var nested in Bound(key, propertyType))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return key;
            }
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Key();
}
