using StatefulGuard.Core.Reports;

namespace StatefulGuard.Serve.Reports;

/// <summary>Keeps <see cref="ReportMetrics.Results"/> equal to the sum of the current reports' results (the leader's own).</summary>
internal sealed class ReportGauges
{
    private readonly Dictionary<string, (string Rule, string Result)[]> current = new(StringComparer.Ordinal);

    public void Set(string key, IReadOnlyList<ReportResult> results)
    {
        if (current.Remove(key, out var previous))
        {
            foreach (var (rule, result) in previous)
            {
                ReportMetrics.Results.WithLabels(rule, result).Dec();
            }
        }

        if (results.Count > 0)
        {
            current[key] = [.. results.Select(r => (r.Policy, r.Result))];
            foreach (var r in results)
            {
                ReportMetrics.Results.WithLabels(r.Policy, r.Result).Inc();
            }
        }
    }

    /// <summary>Not the leader: another replica's reports are not this one's to count.</summary>
    public void Clear()
    {
        foreach (var key in current.Keys.ToList())
        {
            Set(key, []);
        }
    }
}
