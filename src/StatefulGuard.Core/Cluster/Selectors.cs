using k8s.Models;

namespace StatefulGuard.Core.Cluster;

/// <summary>Equality-based label selector matching, as Services use it.</summary>
public static class Selectors
{
    /// <summary>
    /// The selector pairs the labels do not satisfy: keys that are missing, and keys whose value differs.
    /// Empty when every pair is present.
    /// </summary>
    public static IReadOnlyList<SelectorMismatch> Mismatches(IDictionary<string, string> selector, IDictionary<string, string> labels)
    {
        List<SelectorMismatch>? result = null;
        foreach (var (key, expected) in selector.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (key is null)
            {
                continue;
            }

            if (!labels.TryGetValue(key, out var actual))
            {
                (result ??= []).Add(new SelectorMismatch(key, expected, null));
            }
            else if (!string.Equals(actual, expected, StringComparison.Ordinal))
            {
                (result ??= []).Add(new SelectorMismatch(key, expected, actual));
            }
        }

        return result ?? (IReadOnlyList<SelectorMismatch>)[];
    }

    /// <summary>
    /// Whether a <c>metav1.LabelSelector</c> selects the labels. A null selector selects nothing; an empty
    /// one selects everything (as policy/v1 PodDisruptionBudgets and spread constraints treat it).
    /// </summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string> labels) =>
        selector is not null && LabelSelectorMismatches(selector, labels).Count == 0;

    /// <summary>Every requirement of the selector the labels do not meet, in words.</summary>
    public static IReadOnlyList<string> LabelSelectorMismatches(V1LabelSelector selector, IDictionary<string, string> labels)
    {
        var problems = new List<string>();
        if (selector.MatchLabels is { Count: > 0 } matchLabels)
        {
            problems.AddRange(Mismatches(matchLabels, labels).Select(m => m.ToString()));
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            if (requirement?.Key is null)
            {
                continue;
            }

            var has = labels.TryGetValue(requirement.Key, out var value);
            var values = requirement.Values ?? [];
            var ok = requirement.OperatorProperty switch
            {
                "In" => has && values.Contains(value!),
                "NotIn" => !has || !values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                problems.Add(requirement.OperatorProperty switch
                {
                    "In" => has ? $"{requirement.Key}={value}, selector wants one of {string.Join("|", values)}" : $"label {requirement.Key} missing (selector wants one of {string.Join("|", values)})",
                    "NotIn" => $"{requirement.Key}={value}, selector excludes it",
                    "Exists" => $"label {requirement.Key} missing (selector wants it to exist)",
                    "DoesNotExist" => $"label {requirement.Key} present, selector wants it absent",
                    _ => $"{requirement.Key}: unknown operator {requirement.OperatorProperty}",
                });
            }
        }

        return problems;
    }

    /// <summary>Whether the selector names any of the labels' keys: a sign it was meant for these pods.</summary>
    public static bool SharesKeys(V1LabelSelector selector, IDictionary<string, string> labels) =>
        (selector.MatchLabels?.Keys ?? []).Concat((selector.MatchExpressions ?? []).Select(e => e?.Key)).Any(k => k is not null && labels.ContainsKey(k));

    /// <summary>
    /// How a selector relates to a set of labels, requirement by requirement: the evidence the label-coherence
    /// rule weighs to decide whether the selector was meant for those labels.
    /// </summary>
    public static SelectorComparison Compare(V1LabelSelector selector, IDictionary<string, string> labels)
    {
        var agreements = 0;
        var missing = 0;
        var otherValue = 0;
        var excludes = false;
        List<KeyValuePair<string, string>>? unmet = null;

        foreach (var (key, expected) in selector.MatchLabels ?? EmptyPairs)
        {
            if (key is null)
            {
                continue;
            }

            if (!labels.TryGetValue(key, out var actual))
            {
                missing++;
                (unmet ??= []).Add(KeyValuePair.Create(key, expected ?? ""));
            }
            else if (string.Equals(actual, expected, StringComparison.Ordinal))
            {
                agreements++;
            }
            else
            {
                otherValue++;
                (unmet ??= []).Add(KeyValuePair.Create(key, expected ?? ""));
            }
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            if (requirement?.Key is not { } key)
            {
                continue;
            }

            var has = labels.TryGetValue(key, out var value);
            var values = requirement.Values ?? [];
            switch (requirement.OperatorProperty)
            {
                case "In" when has && values.Contains(value!):
                    agreements++;
                    break;
                case "In":
                    if (has)
                    {
                        otherValue++;
                    }
                    else
                    {
                        missing++;
                    }

                    (unmet ??= []).AddRange(values.Where(v => v is not null).Select(v => KeyValuePair.Create(key, v)));
                    break;
                case "Exists" when !has:
                    missing++;
                    break;
                case "NotIn" when has && values.Contains(value!):
                case "DoesNotExist" when has:
                    excludes = true;
                    break;
            }
        }

        return new SelectorComparison(agreements, missing, otherValue, excludes, unmet ?? (IReadOnlyList<KeyValuePair<string, string>>)[]);
    }

    private static readonly Dictionary<string, string> EmptyPairs = new();

    public static string Format(V1LabelSelector selector) =>
        string.Join(",", (selector.MatchLabels ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")
            .Concat((selector.MatchExpressions ?? []).OfType<V1LabelSelectorRequirement>().Select(e => $"{e.Key} {e.OperatorProperty} ({string.Join(",", e.Values ?? [])})")));

    public static string Format(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Join(",", pairs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
