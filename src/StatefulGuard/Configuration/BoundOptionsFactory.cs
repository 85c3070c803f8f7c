using Microsoft.Extensions.Options;

namespace StatefulGuard.Configuration;

/// <summary>
/// Creates <see cref="StatefulGuardOptions"/> from the one binding in <see cref="StatefulGuardSettings"/> instead of
/// binding the section again; the host's options validation then runs on it as usual.
/// </summary>
internal sealed class BoundOptionsFactory(
    StatefulGuardSettings settings,
    IEnumerable<IConfigureOptions<StatefulGuardOptions>> setups,
    IEnumerable<IPostConfigureOptions<StatefulGuardOptions>> postConfigures,
    IEnumerable<IValidateOptions<StatefulGuardOptions>> validations)
    : OptionsFactory<StatefulGuardOptions>(setups, postConfigures, validations)
{
    protected override StatefulGuardOptions CreateInstance(string name) => settings.Options;
}
