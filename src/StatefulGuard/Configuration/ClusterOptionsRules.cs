using FluentValidation;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Configuration;

internal sealed class ClusterOptionsRules : AbstractValidator<ClusterOptions>
{
    public ClusterOptionsRules()
    {
        RuleFor(o => o.Source).Named();
        RuleFor(o => o.Kubeconfig).ExistingFile();
        RuleFor(o => o.UnverifiableAction).Named();
        RuleFor(o => o.WatchTimeoutSeconds).Between(10, 3600);
        RuleFor(o => o.MaxBackoffSeconds).Between(1, 600);
        RuleFor(o => o.RequestTimeoutSeconds).Between(1, 300);
    }
}
