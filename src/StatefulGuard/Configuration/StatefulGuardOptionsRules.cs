using FluentValidation;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Configuration;

/// <summary>What <see cref="StatefulGuardOptions"/> must hold: ranges, named values, files that exist.</summary>
internal sealed class StatefulGuardOptionsRules : AbstractValidator<StatefulGuardOptions>
{
    public StatefulGuardOptionsRules()
    {
        RuleFor(o => o.Mode).Named();
        RuleFor(o => o.MaxRequestBodyBytes).Between(64 * 1024, 64L * 1024 * 1024);
        RuleFor(o => o.AdmissionDeadlineSeconds).Between(1, 30);
        RuleFor(o => o.MaxConcurrentAdmissions).Between(1, 100_000);
        RuleFor(o => o.AdmissionQueueLength).Between(0, 1_000_000);
        RuleFor(o => o.MaxNewConnectionsPerSecond).Between(0, 1_000_000);
        RuleFor(o => o.WarmupMilliseconds).Between(0, 10_000);
        RuleFor(o => o.LogFormat).Named();
        RuleFor(o => o.RuleErrors).Named();
        RuleFor(o => o.Tls).SetValidator(new TlsOptionsRules());
        RuleFor(o => o.Cluster).SetValidator(new ClusterOptionsRules());
        RuleFor(o => o.Exceptions).SetValidator(new ExceptionsOptionsRules());
        RuleFor(o => o.Reports).SetValidator(new ReportsOptionsRules());
    }
}
