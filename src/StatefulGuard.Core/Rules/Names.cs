namespace StatefulGuard.Core.Rules;

/// <summary>Object names: which the apiserver accepts, and near misses between them (what a typo looks like).</summary>
internal static partial class Names
{
    /// <summary>An RFC 1035 label, as a Service's name must be: lower-case letters, digits and '-', a letter first, at most 63.</summary>
    public static bool IsDns1035Label(string? name) => name is { Length: > 0 and <= 63 } && Dns1035Label().IsMatch(name);

    /// <summary>An RFC 1123 subdomain, as most objects' names must be (a StatefulSet's, a PodDisruptionBudget's): at most 253.</summary>
    public static bool IsDns1123Subdomain(string? name) => name is { Length: > 0 and <= 253 } && Dns1123Subdomain().IsMatch(name);

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?\\z")]
    private static partial System.Text.RegularExpressions.Regex Dns1035Label();

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z")]
    private static partial System.Text.RegularExpressions.Regex Dns1123Subdomain();

    /// <summary>The known name closest to a misspelt one (edit distance ≤ 2), for "did you mean".</summary>
    public static string? Closest(string? name, IEnumerable<string> known) =>
        name is null ? null : known.Select(k => (Name: k, Distance: Distance(name, k))).Where(k => k.Distance <= 2).OrderBy(k => k.Distance).Select(k => k.Name).FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            previous = current;
        }

        return previous[b.Length];
    }

    /// <summary>
    /// Whether <paramref name="typed"/> is one slip of the keyboard away from <paramref name="meant"/>: one letter added,
    /// dropped or changed, or two neighbouring letters swapped. A digit added, dropped or changed is no slip: <c>db-1</c>
    /// and <c>db-2</c>, <c>postgres</c> and <c>postgres2</c> name different things.
    /// </summary>
    public static bool OneSlip(string typed, string meant)
    {
        if (typed.Length == meant.Length)
        {
            var first = -1;
            var differences = 0;
            for (var i = 0; i < typed.Length; i++)
            {
                if (typed[i] != meant[i] && ++differences == 1)
                {
                    first = i;
                }
            }

            return differences switch
            {
                1 => !(char.IsAsciiDigit(typed[first]) || char.IsAsciiDigit(meant[first])),
                2 => first + 1 < typed.Length && typed[first] == meant[first + 1] && typed[first + 1] == meant[first]
                     && typed.AsSpan(first + 2).SequenceEqual(meant.AsSpan(first + 2)),
                _ => false,
            };
        }

        var (longer, shorter) = typed.Length > meant.Length ? (typed, meant) : (meant, typed);
        if (longer.Length != shorter.Length + 1)
        {
            return false;
        }

        var at = 0;
        while (at < shorter.Length && longer[at] == shorter[at])
        {
            at++;
        }

        return longer.AsSpan(at + 1).SequenceEqual(shorter.AsSpan(at)) && !char.IsAsciiDigit(longer[at]);
    }
}
