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

    public static string Format(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Join(",", pairs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}

/// <summary>A selector pair the labels do not satisfy; <see cref="Actual"/> is null when the key is missing.</summary>
public sealed record SelectorMismatch(string Key, string Expected, string? Actual)
{
    public override string ToString() =>
        Actual is null ? $"label {Key} missing (selector wants {Expected})" : $"{Key}={Actual}, selector wants {Expected}";
}
