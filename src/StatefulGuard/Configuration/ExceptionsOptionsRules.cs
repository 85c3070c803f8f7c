using FluentValidation;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Configuration;

internal sealed class ExceptionsOptionsRules : AbstractValidator<ExceptionsOptions>
{
    public ExceptionsOptionsRules() => RuleFor(o => o.MaxLifetimeDays).Between(1, 3650);
}
