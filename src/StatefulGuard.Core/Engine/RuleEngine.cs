using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

/// <summary>
/// The one engine behind every mode: the webhook, the offline audit and the cluster audit all call
/// <see cref="Validate"/>, so they cannot disagree.
/// </summary>
public sealed partial class RuleEngine
{
    private readonly RuleSet rules;
    private readonly EngineSettings settings;
    private readonly ILogger logger;

    private readonly TimeProvider clock;

    /// <param name="clock">The time exceptions expire against (the CLI's <c>--now</c>, a fake one in tests).</param>
    public RuleEngine(RuleSet rules, EngineSettings settings, ILogger<RuleEngine>? logger = null, TimeProvider? clock = null)
    {
        this.rules = rules;
        this.settings = settings;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
        this.clock = clock ?? TimeProvider.System;
        ExceptionValidator = new Exceptions.ExceptionValidator(rules.Rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal), settings.Exceptions, this.clock);
    }

    /// <summary>Judges whether an exception may waive anything (the same rules admission holds it to).</summary>
    public Exceptions.ExceptionValidator ExceptionValidator { get; }

    public TimeProvider Clock => clock;

    /// <summary>Raised for each finding or default an exception waives (the webhook counts them).</summary>
    public event Action<Exceptions.Waiver>? Waived;

    public EngineSettings Settings => settings;

    public RuleSet Rules => rules;

    /// <param name="input">The object to judge.</param>
    /// <param name="cluster">Where rules look up Services, Namespaces and so on.</param>
    /// <param name="globalMode">Overrides the configured global mode (the offline audit always asks what enforce would do).</param>
    public Evaluation Validate(RuleInput input, IClusterView cluster, GuardMode? globalMode = null)
    {
        var mode = ModeResolution.Resolve(globalMode ?? settings.Mode, cluster.GetNamespace(input.Namespace), out var note);
        IReadOnlyList<string> notes = note is null ? [] : [note];
        if (mode == GuardMode.Off)
        {
            return Evaluation.Skipped(mode, notes);
        }

        var context = new RuleContext(input.Operation, input.Namespace, input.Object, input.OldObject, cluster);
        var verdicts = new List<Verdict>();
        var waivers = new Waiving(cluster, input.Namespace, Exceptions.WaivedKind.StatefulSet, context.Name, clock.GetUtcNow(), ExceptionValidator, Waived);
        foreach (var configured in rules.Validating)
        {
            var rule = (IValidatingRule)configured.Rule;
            List<Finding>? previous = null;
            foreach (var finding in Run(rule.Descriptor.Id, input.Namespace, context.Name, () => rule.Validate(context, configured.Options), configured.Action))
            {
                // An update must never be blocked by a problem it did not cause: scaling down during an
                // incident after someone deleted the Service has to go through.
                bool PreExisting()
                {
                    if (input is not { Operation: Operation.Update, OldObject: { } old })
                    {
                        return false;
                    }

                    previous ??= Run(rule.Descriptor.Id, input.Namespace, context.Name, () => rule.Validate(context.WithStatefulSet(old), configured.Options), configured.Action);
                    return previous.Any(p => p.SameViolationAs(finding));
                }

                if (Judge(finding, configured.Action, mode, PreExisting) is { } verdict)
                {
                    verdicts.Add(waivers.Apply(verdict));
                }
            }
        }

        return new Evaluation(mode, verdicts, waivers.Notes(notes));
    }

    /// <summary>Service UPDATE and DELETE, judged from the side of the StatefulSets that depend on the Service.</summary>
    public Evaluation ValidateService(ServiceRuleContext input, GuardMode? globalMode = null)
    {
        var mode = ModeResolution.Resolve(globalMode ?? settings.Mode, input.Cluster.GetNamespace(input.Namespace), out var note);
        IReadOnlyList<string> notes = note is null ? [] : [note];
        if (mode == GuardMode.Off)
        {
            return Evaluation.Skipped(mode, notes);
        }

        var verdicts = new List<Verdict>();
        var waivers = new Waiving(input.Cluster, input.Namespace, Exceptions.WaivedKind.Service, input.Name, clock.GetUtcNow(), ExceptionValidator, Waived);
        foreach (var configured in rules.ServiceRules)
        {
            var rule = (IServiceRule)configured.Rule;
            foreach (var finding in Run(rule.Descriptor.Id, input.Namespace, input.Name, () => rule.Validate(input, configured.Options), configured.Action))
            {
                if (Judge(finding, configured.Action, mode, static () => false) is { } verdict)
                {
                    verdicts.Add(waivers.Apply(verdict));
                }
            }
        }

        return new Evaluation(mode, verdicts, waivers.Notes(notes));
    }

    /// <summary>
    /// Namespace CREATE and UPDATE. Judged in the global mode only: the namespace's own mode label is what the rules
    /// guard, so it cannot switch them off. Exceptions, which live in namespaces, do not waive them.
    /// </summary>
    public Evaluation ValidateNamespace(NamespaceRuleContext input, GuardMode? globalMode = null)
    {
        var mode = globalMode ?? settings.Mode;
        if (mode == GuardMode.Off)
        {
            return Evaluation.Skipped(mode, []);
        }

        var verdicts = new List<Verdict>();
        foreach (var configured in rules.NamespaceRules)
        {
            var rule = (INamespaceRule)configured.Rule;
            foreach (var finding in Run(rule.Descriptor.Id, "", input.Name, () => rule.Validate(input, configured.Options), configured.Action))
            {
                if (Judge(finding, configured.Action, mode, static () => false) is { } verdict)
                {
                    verdicts.Add(verdict);
                }
            }
        }

        return new Evaluation(mode, verdicts, []);
    }

    /// <summary>What a finding does: the rule's action, weakened for unverifiable lookups, pre-existing violations and audit mode.</summary>
    private Verdict? Judge(Finding finding, RuleAction action, GuardMode mode, Func<bool> preExisting)
    {
        var qualifier = VerdictQualifier.None;
        if (finding.Code == RuleErrorCode)
        {
            // Fail closed by default: a deny rule that cannot look at the object must not wave it through.
            action = action == RuleAction.Deny && settings.RuleErrors == RuleErrorPolicy.Deny ? RuleAction.Deny : Weaker(action, RuleAction.Warn);
        }
        else if (finding.Unverifiable)
        {
            action = Weaker(action, settings.UnverifiableAction);
            qualifier = VerdictQualifier.Unverifiable;
            if (action == RuleAction.Off)
            {
                return null;
            }
        }

        if (action == RuleAction.Deny && preExisting())
        {
            action = RuleAction.Warn;
            qualifier = VerdictQualifier.PreExisting;
        }

        var enforceAction = action;
        if (mode == GuardMode.Audit && action == RuleAction.Deny)
        {
            action = RuleAction.Warn;
            qualifier = VerdictQualifier.Audit;
        }

        return new Verdict(finding, action, enforceAction, qualifier);
    }

    /// <summary>The code of the finding a rule that threw is reported with.</summary>
    public const string RuleErrorCode = "rule-error";

    private List<Finding> Run(string ruleId, string @namespace, string name, Func<IEnumerable<Finding>> validate, RuleAction action)
    {
        try
        {
            return validate().ToList();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A broken rule must not take admission down with it; what it does to the request is the RuleErrors policy's.
            LogRuleFailed(logger, ex, ruleId, @namespace, name);
            var denies = action == RuleAction.Deny && settings.RuleErrors == RuleErrorPolicy.Deny;
            return
            [
                new Finding(ruleId, RuleErrorCode, $"rule {ruleId} could not evaluate the object ({ex.GetType().Name}: {ex.Message})",
                    denies
                        ? "check the object for null or wrongly typed fields; to let such objects through, set StatefulGuard:RuleErrors to Allow"
                        : "check the object for null or wrongly typed fields",
                    null)
                {
                    Summary = $"could not evaluate the object ({ex.GetType().Name}); see the webhook's log",
                },
            ];
        }
    }

    /// <summary>
    /// The exceptions of the object's namespace applied to its verdicts: a waived finding neither denies nor warns (in
    /// enforce mode either), and the answer carries one short note per exception used.
    /// </summary>
    private sealed class Waiving(IClusterView cluster, string @namespace, Exceptions.WaivedKind kind, string name, DateTimeOffset now,
        Exceptions.ExceptionValidator validator, Action<Exceptions.Waiver>? onWaived = null)
    {
        // Only exceptions admission would admit waive anything, however they were stored.
        private readonly IReadOnlyList<Exceptions.StatefulGuardException> exceptions =
            cluster.GetExceptions(@namespace) is { State: LookupState.Found, Value: { Count: > 0 } found } ? [.. found.Where(validator.MayWaive)] : [];

        private List<Exceptions.Waiver>? used;

        public Exceptions.Waiver? Find(string ruleId) =>
            exceptions.Count == 0 ? null : Exceptions.Waivers.Find(exceptions, @namespace, kind, name, ruleId, now);

        public Verdict Apply(Verdict verdict)
        {
            if (Find(verdict.RuleId) is not { } waiver)
            {
                return verdict;
            }

            if (used is null || !used.Any(u => u.RuleId == waiver.RuleId && u.Exception == waiver.Exception))
            {
                (used ??= []).Add(waiver);
            }

            onWaived?.Invoke(waiver);
            return new Verdict(verdict.Finding, RuleAction.Off, RuleAction.Off, VerdictQualifier.Waived) { Waiver = waiver };
        }

        public IReadOnlyList<string> Notes(IReadOnlyList<string> notes) =>
            used is null ? notes : [.. notes, .. used.Select(w => w.Warning)];
    }

    private static RuleAction Weaker(RuleAction a, RuleAction b) => (RuleAction)Math.Max((int)a, (int)b);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule {RuleId} threw while evaluating {Namespace}/{Name}")]
    private static partial void LogRuleFailed(ILogger logger, Exception ex, string ruleId, string Namespace, string name);
}
