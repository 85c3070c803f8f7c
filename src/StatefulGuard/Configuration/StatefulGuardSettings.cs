using StatefulGuard.Core.Engine;

namespace StatefulGuard.Configuration;

/// <summary>The section as bound once: the options, the rules with their settings, and what is wrong with them.</summary>
public sealed record StatefulGuardSettings(StatefulGuardOptions Options, Core.Engine.RuleSet Rules, IReadOnlyList<string> Problems)
{
    /// <summary>The <c>Serilog</c> section, read with the rest; its problems are among <see cref="Problems"/>.</summary>
    internal Serve.LogSettings Logging { get; private init; } = null!;

    public static StatefulGuardSettings Load(IConfiguration configuration, RuleCatalog catalog)
    {
        var problems = StatefulGuardOptionsValidator.Check(configuration, catalog, out var options, out var rules).ToList();
        // The webhook's logging settings too: a sink that is not shipped fails the start rather than logging nowhere.
        var logging = Serve.LogSettings.Read(configuration, problems);
        return new(options, rules, problems) { Logging = logging };
    }
}
