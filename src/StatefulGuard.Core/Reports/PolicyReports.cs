using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Reports;

/// <summary>
/// A StatefulSet's policy report: one result per rule that applies (validating and mutating), judged by the same
/// engine as <c>/validate</c>, <c>/mutate</c> and <c>audit</c> (mode, namespace labels, rule actions, exceptions).
/// The content is deterministic: the same cluster state gives the same report, so an unchanged StatefulSet is
/// never rewritten.
/// </summary>
public static class PolicyReports
{
    public const string Source = "statefulguard";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "statefulguard";

    public const string Pass = "pass";
    public const string Fail = "fail";
    public const string Warn = "warn";
    public const string Error = "error";
    public const string Skip = "skip";

    /// <summary>The results for a StatefulSet in the cluster, judged as a CREATE of it would be.</summary>
    public static IReadOnlyList<ReportResult> Evaluate(RuleEngine engine, V1StatefulSet statefulSet, IClusterView cluster)
    {
        var ns = statefulSet.Metadata?.NamespaceProperty ?? "";
        var input = new RuleInput(Operation.Create, ns, statefulSet, null);
        var evaluation = engine.Validate(input, cluster);
        var results = new List<ReportResult>();
        foreach (var configured in engine.Rules.Validating)
        {
            var d = configured.Rule.Descriptor;
            if (evaluation.Mode == GuardMode.Off)
            {
                results.Add(Result(d, d.Id, Skip, $"StatefulGuard is off in namespace {ns}", NoProperties));
                continue;
            }

            var verdicts = evaluation.Verdicts.Where(v => v.RuleId == d.Id).ToList();
            if (verdicts.Count == 0)
            {
                results.Add(Result(d, d.Id, Pass, d.Description, NoProperties));
                continue;
            }

            var worst = verdicts.MaxBy(Weight)!;
            var properties = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (worst.Finding.Path is { Length: > 0 } path)
            {
                properties["path"] = path;
            }

            if (worst.Finding.Fix is { Length: > 0 } fix)
            {
                properties["fix"] = fix;
            }

            if (worst.Waiver is { } waiver)
            {
                properties["exception"] = waiver.Exception;
            }

            if (verdicts.Count > 1)
            {
                properties["findings"] = verdicts.Count.ToString(CultureInfo.InvariantCulture);
            }

            var message = string.Join("; ", verdicts.OrderByDescending(Weight).Select(v => v.Finding.Short));
            results.Add(Result(d, worst.Finding.Code, Outcome(worst), message, properties));
        }

        // Skips and waivers are the engine's: the report says what it decided, it does not decide again.
        var mutation = engine.Mutate(input, cluster);
        foreach (var configured in engine.Rules.Mutating)
        {
            var d = configured.Rule.Descriptor;
            var entries = mutation.Injected.Where(e => e.StartsWith(d.Id + ":", StringComparison.Ordinal) || e == d.Id).ToList();
            var waiver = mutation.Waived.GetValueOrDefault(d.Id);
            if (mutation.Mode == GuardMode.Off)
            {
                results.Add(Result(d, d.Id, Skip, $"StatefulGuard is off in namespace {ns}", NoProperties));
            }
            else if (mutation.OptedOut.Contains(d.Id))
            {
                results.Add(Result(d, d.Id, Skip, $"opted out with the {WellKnown.SkipAnnotation} annotation", NoProperties));
            }
            else if (waiver is not null)
            {
                results.Add(Result(d, d.Id, Skip, $"waived by StatefulGuardException {waiver.Exception}",
                    new SortedDictionary<string, string>(StringComparer.Ordinal) { ["exception"] = waiver.Exception }));
            }
            else if (entries.Count > 0)
            {
                results.Add(Result(d, "missing-default", Warn, "would inject: " + InjectionAnnotations.Summary(entries),
                    new SortedDictionary<string, string>(StringComparer.Ordinal) { ["fix"] = "set the defaults in the manifest, or let the webhook inject them" }));
            }
            else
            {
                results.Add(Result(d, d.Id, Pass, d.Description, NoProperties));
            }
        }

        return results;
    }

    private static readonly IReadOnlyDictionary<string, string> NoProperties = new Dictionary<string, string>();

    private static int Weight(Verdict v) => Outcome(v) switch
    {
        Fail => 4,
        Error => 3,
        Warn => 2,
        _ => 1,
    };

    /// <summary>What enforcement would do: a deny rule's finding fails (in audit mode too: that is what audit shows), a waived one is skipped.</summary>
    private static string Outcome(Verdict v) =>
        v.Qualifier == VerdictQualifier.Waived ? Skip
        : v.Finding.Code == RuleEngine.RuleErrorCode ? Error
        : v.EnforceAction == RuleAction.Deny && v.Qualifier != VerdictQualifier.Unverifiable ? Fail
        : Warn;

    private static ReportResult Result(RuleDescriptor d, string rule, string result, string message, IReadOnlyDictionary<string, string> properties) =>
        new(d.Id, rule, result, d.Severity, d.Category, message, properties);

    /// <summary>The report's name: the StatefulSet's, prefixed, or its uid when that would be too long.</summary>
    public static string Name(V1StatefulSet statefulSet)
    {
        var name = "statefulguard-" + statefulSet.Metadata?.Name;
        return name.Length <= 253 ? name : "statefulguard-" + statefulSet.Metadata?.Uid;
    }

    /// <summary>
    /// The report object as written, without a resourceVersion. <paramref name="timestamp"/> gives each result's time:
    /// the time it was first seen with this outcome and message (kept from the previous report), or now.
    /// </summary>
    public static JsonObject Build(ReportFormat format, V1StatefulSet statefulSet, IReadOnlyList<ReportResult> results, Func<ReportResult, DateTimeOffset> timestamp)
    {
        var meta = statefulSet.Metadata!;
        var reference = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "StatefulSet",
            ["namespace"] = meta.NamespaceProperty,
            ["name"] = meta.Name,
            ["uid"] = meta.Uid,
        };
        var items = new JsonArray();
        foreach (var r in results)
        {
            var time = timestamp(r);
            var item = new JsonObject
            {
                ["source"] = Source,
                ["policy"] = r.Policy,
                ["rule"] = r.Rule,
                ["category"] = r.Category,
                ["severity"] = r.Severity.ToString().ToLowerInvariant(),
                ["timestamp"] = new JsonObject { ["seconds"] = time.ToUnixTimeSeconds(), ["nanos"] = 0 },
                ["result"] = r.Result,
                ["scored"] = true,
                ["resources"] = new JsonArray(reference.DeepClone()),
                ["message"] = r.Message,
            };
            if (r.Properties.Count > 0)
            {
                var properties = new JsonObject();
                foreach (var (key, value) in r.Properties)
                {
                    properties[key] = value;
                }

                item["properties"] = properties;
            }

            items.Add((JsonNode)item);
        }

        var report = new JsonObject
        {
            ["apiVersion"] = format.ApiVersion,
            ["kind"] = format.Kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = Name(statefulSet),
                ["namespace"] = meta.NamespaceProperty,
                ["labels"] = new JsonObject { [ManagedByLabel] = ManagedBy },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "StatefulSet",
                    ["name"] = meta.Name,
                    ["uid"] = meta.Uid,
                }),
            },
            ["scope"] = reference,
            ["summary"] = new JsonObject
            {
                ["pass"] = results.Count(r => r.Result == Pass),
                ["fail"] = results.Count(r => r.Result == Fail),
                ["warn"] = results.Count(r => r.Result == Warn),
                ["error"] = results.Count(r => r.Result == Error),
                ["skip"] = results.Count(r => r.Result == Skip),
            },
            ["results"] = items,
        };
        if (format == ReportFormat.OpenReports)
        {
            report["source"] = Source;
        }

        return report;
    }
}
