using FluentValidation;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Configuration;

internal sealed class TlsOptionsRules : AbstractValidator<TlsOptions>
{
    public TlsOptionsRules()
    {
        RuleFor(o => o.CertFile).NotEmpty().WithMessage("must name a PEM certificate file");
        RuleFor(o => o.KeyFile).NotEmpty().WithMessage("must name a PEM private key file");
        RuleFor(o => o.ReloadIntervalSeconds).Between(1, 3600);
        RuleFor(o => o.ClientCaFile).ExistingFile();
        RuleFor(o => o.ClientCaFile).NotEmpty().When(o => o.ClientNames is { Length: > 0 })
            .WithMessage("must be set when ClientNames is: the names are checked on certificates this CA signed");
        RuleForEach(o => o.ClientNames).NotEmpty().WithMessage("must not hold an empty name");
    }
}
