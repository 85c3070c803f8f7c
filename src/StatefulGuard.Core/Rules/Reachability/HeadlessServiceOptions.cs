using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Rules.Reachability;

public sealed class HeadlessServiceOptions : RuleOptions
{
    public override void BindFrom(IConfiguration section) => section.Bind(this, Strict);

    /// <summary>
    /// Whether an empty <c>spec.serviceName</c> is a violation. The API allows it, but such pods have no
    /// stable DNS names, and the field cannot be set later.
    /// </summary>
    public bool RequireServiceName { get; set; } = true;
}
