using k8s.Models;

namespace StatefulGuard.Core.Engine;

/// <summary>The <c>statefulguard.io/skip</c> and <c>statefulguard.io/injected</c> annotations.</summary>
public static class InjectionAnnotations
{
    private static readonly IReadOnlySet<string> NoSkips = System.Collections.Frozen.FrozenSet<string>.Empty;

    /// <summary>Names in <c>statefulguard.io/skip</c>; unknown names are reported in <paramref name="notes"/>.</summary>
    public static IReadOnlySet<string> Skips(V1StatefulSet statefulSet, IEnumerable<string> known, List<string> notes)
    {
        if (statefulSet.Metadata?.Annotations?.TryGetValue(WellKnown.SkipAnnotation, out var value) != true)
        {
            return NoSkips;
        }

        var result = new HashSet<string>(StringComparer.Ordinal);
        var names = known.ToHashSet(StringComparer.Ordinal);
        foreach (var name in Split(value))
        {
            if (names.Contains(name))
            {
                result.Add(name);
            }
            else
            {
                notes.Add($"{WellKnown.SkipAnnotation}: unknown name \"{name}\" (known: {string.Join(", ", names.Order(StringComparer.Ordinal))})");
            }
        }

        return result;
    }

    public static HashSet<string> Injected(V1StatefulSet? statefulSet) =>
        statefulSet?.Metadata?.Annotations?.TryGetValue(WellKnown.InjectedAnnotation, out var value) == true
            ? Split(value).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="entries"/> to the annotation, keeping what it already lists, sorted.</summary>
    public static void Record(V1StatefulSet statefulSet, IEnumerable<string> entries)
    {
        statefulSet.Metadata ??= new V1ObjectMeta();
        statefulSet.Metadata.Annotations ??= new Dictionary<string, string>();
        var annotations = statefulSet.Metadata.Annotations;
        var all = new List<string>(entries);
        if (annotations.TryGetValue(WellKnown.InjectedAnnotation, out var existing))
        {
            all.AddRange(Split(existing));
        }

        all.Sort(string.CompareOrdinal);
        var unique = 0;
        for (var i = 0; i < all.Count; i++)
        {
            if (i == 0 || all[i] != all[unique - 1])
            {
                all[unique++] = all[i];
            }
        }

        all.RemoveRange(unique, all.Count - unique);
        annotations[WellKnown.InjectedAnnotation] = string.Join(',', all);
    }

    /// <summary>"probes (nginx), security-context (nginx, pod)" from entries like "probes:nginx/startup".</summary>
    public static string Summary(IEnumerable<string> entries)
    {
        // Written on every mutating admission's log line: the entries are sorted by rule, then target, and each
        // rule and target is written once, straight from the entry strings.
        var parts = new List<SummaryPart>();
        var summary = new System.Text.StringBuilder(256);
        foreach (var entry in entries)
        {
            parts.Add(SummaryPart.Of(entry));
        }

        parts.Sort(static (a, b) => a.CompareTo(b));
        SummaryPart? previous = null;
        var targets = 0;
        foreach (var part in parts)
        {
            if (previous is not { } p || !p.Rule.SequenceEqual(part.Rule))
            {
                if (targets > 0)
                {
                    summary.Append(')');
                }

                if (previous is not null)
                {
                    summary.Append(", ");
                }

                summary.Append(part.Rule);
                targets = 0;
            }
            else if (p.Target.SequenceEqual(part.Target))
            {
                continue;
            }

            if (part.HasTarget)
            {
                summary.Append(targets == 0 ? " (" : ", ").Append(part.Target);
                targets++;
            }

            previous = part;
        }

        if (targets > 0)
        {
            summary.Append(')');
        }

        return summary.ToString();
    }

    /// <summary>The rule id of an entry: "probes" in "probes:nginx/startup".</summary>
    public static ReadOnlySpan<char> RuleOf(string entry)
    {
        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? entry.AsSpan(0, colon) : entry;
    }

    private static string[] Split(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>An entry's rule id and target ("probes" and "nginx" in "probes:nginx/startup"), as slices of the entry.</summary>
    private readonly record struct SummaryPart(string Entry, int RuleLength, int TargetStart, int TargetLength)
    {
        public ReadOnlySpan<char> Rule => Entry.AsSpan(0, RuleLength);

        public ReadOnlySpan<char> Target => Entry.AsSpan(TargetStart, TargetLength);

        public bool HasTarget => RuleLength < Entry.Length;

        public static SummaryPart Of(string entry)
        {
            var rule = RuleOf(entry).Length;
            if (rule >= entry.Length)
            {
                return new SummaryPart(entry, rule, entry.Length, 0);
            }

            var target = entry.AsSpan(rule + 1);
            var slash = target.IndexOf('/');
            return new SummaryPart(entry, rule, rule + 1, slash >= 0 ? slash : target.Length);
        }

        public int CompareTo(SummaryPart other)
        {
            var byRule = Rule.CompareTo(other.Rule, StringComparison.Ordinal);
            return byRule != 0 ? byRule : Target.CompareTo(other.Target, StringComparison.Ordinal);
        }
    }
}
