using StatefulGuard.Core.Engine;

namespace StatefulGuard.Commands.Formats;

/// <summary>What the JUnit, Markdown and HTML reports say about the run itself.</summary>
/// <param name="Mode">The mode asked for: audit reports denials without failing.</param>
/// <param name="WarningsAsFailures">Warnings fail the run as denials do (<c>--warnings-as-failures</c>, enforce mode only).</param>
/// <param name="Timestamp">When the audit ran (the clock <c>--now</c> sets).</param>
/// <param name="Elapsed">How long reading and evaluating took.</param>
/// <param name="Inputs">What was audited: the paths given, and the cluster.</param>
internal sealed record ReportContext(GuardMode Mode, bool WarningsAsFailures, DateTimeOffset Timestamp, TimeSpan Elapsed, IReadOnlyList<string> Inputs)
{
    /// <summary>Whether this run fails: what enforce mode would deny, and with <c>--warnings-as-failures</c> the warnings too.</summary>
    public bool Fails(AuditTally tally) => Mode == GuardMode.Enforce && (tally.Denied > 0 || (WarningsAsFailures && tally.Warned > 0));
}
