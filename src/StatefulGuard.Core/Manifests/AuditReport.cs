namespace StatefulGuard.Core.Manifests;

public sealed record AuditReport(IReadOnlyList<ObjectReport> Objects, IReadOnlyList<ManifestError> Errors, int DocumentsRead)
{
    public bool WouldDeny => Objects.Any(o => o.Evaluation.WouldDenyInEnforce);

    /// <summary>Nothing could be read at all, or an object could not be audited: the audit cannot vouch for the input (exit 2).</summary>
    public bool Unreadable => (DocumentsRead == 0 && Errors.Any(e => !e.IsWarning)) || Errors.Any(e => e.Fatal);
}
