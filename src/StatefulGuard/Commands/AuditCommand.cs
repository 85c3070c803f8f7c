using StatefulGuard.Configuration;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Commands;

/// <summary>
/// <c>statefulguard audit PATH…</c>: the webhook's rules over manifest files, with the Services in the
/// input standing in for the cluster. Reports what enforce mode would deny, whatever mode is configured.
/// </summary>
internal static class AuditCommand
{
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var paths = new List<string>();
        var color = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
        foreach (var arg in args)
        {
            switch (arg)
            {
                case "--no-color":
                    color = false;
                    break;
                case "--color":
                    color = true;
                    break;
                case "-":
                    paths.Add(arg);
                    break;
                case "-h" or "--help":
                    stdout.Write(CommandLine.Help);
                    return CommandLine.Ok;
                case var option when option.StartsWith('-'):
                    stderr.WriteLine($"statefulguard audit: unknown option '{option}'");
                    return CommandLine.Usage;
                default:
                    paths.Add(arg);
                    break;
            }
        }

        if (paths.Count == 0)
        {
            stderr.WriteLine("statefulguard audit: no input; give files, directories or - for stdin");
            return CommandLine.Usage;
        }

        var problems = StatefulGuardOptionsValidator.Check(ConfigurationLoader.Build(), RuleCatalog.Default, out var options, out var rules);
        if (problems.Count > 0)
        {
            stderr.WriteLine("statefulguard audit: invalid configuration:");
            foreach (var problem in problems)
            {
                stderr.WriteLine($"  {problem}");
            }

            return CommandLine.Usage;
        }

        var manifests = ManifestReader.ReadPaths(paths, stdin);
        // Offline, what lives only in the cluster (StorageClasses, say) is unknown rather than wrong: say nothing of it.
        var engine = new RuleEngine(rules, options.EngineSettings with { UnverifiableAction = RuleAction.Off });
        var report = ManifestAudit.Run(manifests, engine);

        new TextReport(stdout, color).Write(report);
        foreach (var error in report.Errors)
        {
            stderr.WriteLine($"statefulguard audit: {error}");
        }

        if (report.DocumentsRead == 0 && report.Errors.Count > 0)
        {
            return CommandLine.Usage;
        }

        return report.WouldDeny ? CommandLine.Violations : CommandLine.Ok;
    }
}
