using Microsoft.Extensions.Options;

namespace StatefulGuard.Configuration;

/// <summary>Fails the host's start with every problem of the configuration, in one message naming the keys.</summary>
internal sealed class StatefulGuardOptionsStartupValidation(StatefulGuardSettings settings) : IValidateOptions<StatefulGuardOptions>
{
    public ValidateOptionsResult Validate(string? name, StatefulGuardOptions options) =>
        settings.Problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(settings.Problems);
}
