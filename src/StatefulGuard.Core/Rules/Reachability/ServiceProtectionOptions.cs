using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Rules.Reachability;

public sealed class ServiceProtectionOptions : RuleOptions
{
    public override void BindFrom(IConfiguration section) => section.Bind(this, Strict);

    /// <summary>
    /// Requesters that tear namespaces and owned objects down; blocking them would leave a namespace stuck
    /// in Terminating.
    /// </summary>
    public string[]? ExemptUsers { get; set; }

    public static readonly IReadOnlyList<string> DefaultExemptUsers =
    [
        "system:serviceaccount:kube-system:namespace-controller",
        "system:serviceaccount:kube-system:generic-garbage-collector",
    ];

    public IReadOnlyList<string> EffectiveExemptUsers => ExemptUsers ?? DefaultExemptUsers;
}
