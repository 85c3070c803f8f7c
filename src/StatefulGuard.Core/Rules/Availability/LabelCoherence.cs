using k8s.Models;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Rules.Availability;

/// <summary>
/// Selectors that are meant for the StatefulSet's pods actually select them: PodDisruptionBudgets, spread
/// constraints and pod (anti-)affinity terms. A namespace holds many workloads that share label keys (every app
/// has an <c>app</c> label), so a selector is judged against the pods only on evidence that it is theirs; see
/// <see cref="HelpText"/> for the evidence. (The Service's selector is checked by headless-service.)
/// </summary>
public sealed class LabelCoherence : ValidatingRule<RuleOptions>
{
    public const string Id = "label-coherence";

    /// <summary>The evidence weighed, in words: shown by <c>statefulguard rules</c> and in SARIF help.</summary>
    public const string HelpText =
        "A PodDisruptionBudget, spread constraint or anti-affinity term whose selector misses the pods protects or spreads nothing, silently. " +
        "A selector is judged against the pods only on evidence that it is meant for them: " +
        "(1) drift: it agrees with the pod labels on at least one key and value, and what it misses are labels the pods do not carry; " +
        "(2) naming: an unmet value names this StatefulSet, its governing Service or one of its pods (app In [zk-headless] on pods labelled app=zk), " +
        "or, of four characters or more, is one typo (a letter added, dropped or changed, or two swapped) from one of those names or from the pods' own value for that key " +
        "(app: ngnix on pods labelled app: nginx), unless another StatefulSet's pods carry that value, " +
        "or a PodDisruptionBudget is named after the StatefulSet (<name>, <name>-pdb, <name>-budget, pdb-<name>, ...). " +
        "A selector that wants another value of a label the pods carry, that selects another StatefulSet's pods, or that excludes the pods " +
        "with NotIn/DoesNotExist belongs to other pods: no finding. podAffinity terms attract other workloads by design: only naming counts. " +
        "A PodDisruptionBudget that misses the pods is not reported when another budget selects them. A spread constraint without a labelSelector counts no pods: always reported. " +
        "Make every selector meant for the pods a subset of the pod template labels; the report names the keys that differ.";

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Warn,
        "PodDisruptionBudget, spread and affinity selectors meant for the pods select the pod template labels")
    {
        Help = HelpText,
        Reads = [ClusterKinds.PodDisruptionBudget, ClusterKinds.StatefulSet],
        Category = "Availability",
        Severity = RuleSeverity.Medium,
    };

    private static readonly string[] BudgetNamePatterns = ["{0}", "{0}-pdb", "{0}-budget", "{0}-disruption-budget", "{0}-poddisruptionbudget", "pdb-{0}"];

    protected override IEnumerable<Finding> Check(RuleContext context, RuleOptions options)
    {
        var labels = context.PodLabels;
        var spec = context.StatefulSet.Spec?.Template?.Spec;
        var suggested = context.StatefulSet.Spec?.Selector is { } s ? Selectors.Format(s) : Selectors.Format(labels);
        var evidence = new Evidence(context);

        if (context.Cluster.GetPodDisruptionBudgets(context.Namespace) is { State: LookupState.Found, Value: { } budgets })
        {
            var present = budgets.OfType<CachedDisruptionBudget>().ToArray();
            var anotherSelectsUs = present.Any(b => Selectors.Matches(b.Selector, labels));
            foreach (var budget in present.OrderBy(b => b.Name, StringComparer.Ordinal))
            {
                var name = budget.Name;
                if (budget.Selector is not { } selector)
                {
                    continue;
                }

                var namedForUs = BudgetNamePatterns.Any(p => string.Equals(string.Format(System.Globalization.CultureInfo.InvariantCulture, p, context.Name), name, StringComparison.Ordinal));
                if (evidence.MeantForPods(selector, attraction: false, namedForUs, anotherSelectsUs))
                {
                    yield return Violation("budget-selector-mismatch", "spec.template.metadata.labels",
                        $"PodDisruptionBudget \"{name}\" does not select the pods: {Describe(selector, labels)}",
                        $"make its selector a subset of the pod labels, e.g. {suggested}")
                        with { Summary = $"PodDisruptionBudget \"{name}\" misses the pods; fix its selector" };
                }
            }
        }

        var spreads = spec?.TopologySpreadConstraints ?? [];
        for (var i = 0; i < spreads.Count; i++)
        {
            if (spreads[i] is null)
            {
                continue;
            }

            var selector = spreads[i].LabelSelector;
            var path = $"spec.template.spec.topologySpreadConstraints[{i}].labelSelector";
            if (selector is null)
            {
                yield return Violation("spread-selector-mismatch", path,
                    $"topologySpreadConstraints[{i}] has no labelSelector: it counts no pods and spreads nothing",
                    $"set its labelSelector to {suggested}")
                    with { Summary = $"topologySpreadConstraints[{i}] has no labelSelector; set it to the pod labels" };
            }
            else if (evidence.MeantForPods(selector, attraction: false))
            {
                yield return Violation("spread-selector-mismatch", path,
                    $"topologySpreadConstraints[{i}] does not select the pods: {Describe(selector, labels)}",
                    $"set its labelSelector to {suggested}")
                    with { Summary = $"topologySpreadConstraints[{i}] selector misses the pods; use the pod labels" };
            }
        }

        foreach (var (term, path, attraction) in AffinityTerms(spec?.Affinity))
        {
            if (term?.LabelSelector is { } selector && evidence.MeantForPods(selector, attraction))
            {
                yield return Violation("affinity-selector-mismatch", $"{path}.labelSelector",
                    $"pod {(attraction ? "affinity" : "anti-affinity")} term does not select the pods: {Describe(selector, labels)}",
                    $"set its labelSelector to {suggested}")
                    with { Summary = $"pod {(attraction ? "affinity" : "anti-affinity")} term's selector misses the pods; use the pod labels" };
            }
        }
    }

    /// <summary>What the StatefulSet is known by, and the other StatefulSets in its namespace.</summary>
    private sealed class Evidence(RuleContext context)
    {
        private readonly IDictionary<string, string> labels = context.PodLabels;
        private IReadOnlyList<IDictionary<string, string>>? others;

        public bool MeantForPods(V1LabelSelector selector, bool attraction, bool namedForUs = false, bool anotherSelectsUs = false)
        {
            var comparison = Selectors.Compare(selector, labels);
            if (comparison.Selects || comparison.Excludes)
            {
                return false;
            }

            if (namedForUs || comparison.Unmet.Any(NamesUs))
            {
                return true;
            }

            if (attraction || anotherSelectsUs || comparison.Agreements == 0 || comparison.OtherValues > 0)
            {
                return false;
            }

            // Drift: it agrees on a label and misses only labels the pods lack; unless it is another StatefulSet's.
            return !OtherStatefulSets().Any(other => Selectors.Matches(selector, other));
        }

        /// <summary>
        /// Whether a value the selector asks for names this StatefulSet: its name, its governing Service's, one of its
        /// pods' — or, of four characters or more, is one slip of the keyboard from its name, its Service's or the pods'
        /// own value for that key (<c>app: ngnix</c> on pods labelled <c>app: nginx</c>), unless another StatefulSet's
        /// pods carry it (then it names them).
        /// </summary>
        private bool NamesUs(KeyValuePair<string, string> unmet)
        {
            var (key, value) = unmet;
            var name = context.Name;
            if (value.Length == 0 || name.Length == 0)
            {
                return false;
            }

            var service = context.StatefulSet.Spec?.ServiceName;
            if (value == name || (service is { Length: > 0 } && value == service))
            {
                return true;
            }

            // A pod's name: <name>-<ordinal>.
            if (value.Length > name.Length + 1 && value.StartsWith(name, StringComparison.Ordinal) && value[name.Length] == '-'
                && value.AsSpan(name.Length + 1).IndexOfAnyExceptInRange('0', '9') < 0)
            {
                return true;
            }

            return value.Length >= 4
                   && (Names.OneSlip(value, name) || (service is { Length: > 0 } && Names.OneSlip(value, service))
                       || (labels.TryGetValue(key, out var own) && Names.OneSlip(value, own)))
                   && !OtherStatefulSets().Any(other => other.TryGetValue(key, out var theirs) && theirs == value);
        }

        private IReadOnlyList<IDictionary<string, string>> OtherStatefulSets() =>
            others ??= context.Cluster.GetStatefulSets(context.Namespace) is { State: LookupState.Found, Value: { } all }
                ? all.Where(s => s is not null && s.Name != context.Name && s.PodLabels.Count > 0)
                    .Select(IDictionary<string, string> (s) => s.PodLabels).ToArray()
                : [];
    }

    private static string Describe(V1LabelSelector selector, IDictionary<string, string> labels) =>
        string.Join("; ", Selectors.LabelSelectorMismatches(selector, labels));

    private static IEnumerable<(V1PodAffinityTerm? Term, string Path, bool Attraction)> AffinityTerms(V1Affinity? affinity)
    {
        const string Root = "spec.template.spec.affinity";
        foreach (var (name, required, preferred, attraction) in new[]
                 {
                     ("podAntiAffinity", affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, false),
                     ("podAffinity", affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution, true),
                 })
        {
            for (var i = 0; i < (required?.Count ?? 0); i++)
            {
                yield return (required![i], $"{Root}.{name}.requiredDuringSchedulingIgnoredDuringExecution[{i}]", attraction);
            }

            for (var i = 0; i < (preferred?.Count ?? 0); i++)
            {
                yield return (preferred![i]?.PodAffinityTerm, $"{Root}.{name}.preferredDuringSchedulingIgnoredDuringExecution[{i}].podAffinityTerm", attraction);
            }
        }
    }
}
