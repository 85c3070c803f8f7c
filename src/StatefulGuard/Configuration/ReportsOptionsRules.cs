using FluentValidation;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Configuration;

/// <summary>The reports' settings, and what holds between them: the Lease timings client-go's leader election requires.</summary>
internal sealed class ReportsOptionsRules : AbstractValidator<ReportsOptions>
{
    public ReportsOptionsRules()
    {
        RuleFor(o => o.Format).Named();
        RuleFor(o => o.ResyncMinutes).Between(1, 10_080);
        RuleFor(o => o.WritesPerSecond).Between(1, 10_000);
        RuleFor(o => o.DebounceMilliseconds).Between(0, 60_000);
        RuleFor(o => o.LeaseName).NotEmpty().WithMessage("must name the Lease");
        RuleFor(o => o.LeaseDurationSeconds).Between(2, 600);
        RuleFor(o => o.RenewDeadlineSeconds).Between(1, 600);
        RuleFor(o => o.RetryPeriodSeconds).Between(1, 60);
        RuleFor(o => o.RenewDeadlineSeconds).LessThan(o => o.LeaseDurationSeconds)
            .WithMessage(o => $"must be less than LeaseDurationSeconds ({o.LeaseDurationSeconds}): a leader must renew before its lease lapses");
        RuleFor(o => o.RetryPeriodSeconds).LessThan(o => o.RenewDeadlineSeconds)
            .WithMessage(o => $"must be less than RenewDeadlineSeconds ({o.RenewDeadlineSeconds}): a leader must get to retry its renewal");
    }
}
