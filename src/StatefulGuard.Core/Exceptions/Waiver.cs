namespace StatefulGuard.Core.Exceptions;

/// <summary>An exception that waives a rule for an object, as reports and warnings show it.</summary>
public sealed record Waiver(string Exception, string RuleId, string Reason, string? Ticket, DateTimeOffset? Expires, bool ExpiringSoon)
{
    /// <summary>One short warning: <c>headless-service waived by exception argocd/controller until 2027-03-01</c>.</summary>
    public string Warning =>
        $"{RuleId} waived by exception {Exception}" + (Expires is { } e ? $" until {e.UtcDateTime:yyyy-MM-dd}" : " (no expiry)") + (ExpiringSoon ? ", expiring soon" : "");
}
