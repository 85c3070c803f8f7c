using System.IO.Enumeration;

namespace StatefulGuard.Core.Exceptions;

/// <summary>Which exception, if any, waives a rule for an object: same namespace, rule named, object matched, not expired.</summary>
public static class Waivers
{
    /// <summary>From this long before its expiry an exception's warning says it expires soon.</summary>
    public static readonly TimeSpan ExpiringSoon = TimeSpan.FromDays(14);

    public static ExceptionState State(StatefulGuardException exception, DateTimeOffset now) => exception.Spec?.Expires switch
    {
        { } expires when expires <= now => ExceptionState.Expired,
        { } expires when expires - now <= ExpiringSoon => ExceptionState.ExpiringSoon,
        _ => ExceptionState.Active,
    };

    /// <summary>The first (by name) unexpired exception in <paramref name="exceptions"/> waiving <paramref name="ruleId"/> for the object.</summary>
    public static Waiver? Find(IEnumerable<StatefulGuardException> exceptions, string @namespace, WaivedKind kind, string name, string ruleId, DateTimeOffset now)
    {
        foreach (var exception in exceptions.Where(e => e?.Spec is not null).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var state = State(exception, now);
            if (state == ExceptionState.Expired || exception.Namespace != @namespace || !Names(exception.Spec!.Rules).Contains(ruleId, StringComparer.Ordinal)
                || !Matches(exception, kind, name))
            {
                continue;
            }

            return new Waiver(exception.Reference, ruleId, exception.Spec.Reason ?? "", exception.Spec.Ticket, exception.Spec.Expires, state == ExceptionState.ExpiringSoon);
        }

        return null;
    }

    /// <summary>Whether the exception names the object (by name or glob) among its targets of that kind.</summary>
    public static bool Matches(StatefulGuardException exception, WaivedKind kind, string name) =>
        name.Length > 0
        && Names(kind == WaivedKind.StatefulSet ? exception.Spec?.StatefulSets : exception.Spec?.Services)
            .Any(pattern => FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: false));

    private static IEnumerable<string> Names(IList<string>? names) => names?.OfType<string>().Where(n => n.Length > 0) ?? [];
}
