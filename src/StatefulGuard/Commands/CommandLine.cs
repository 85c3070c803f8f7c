using StatefulGuard.Core.Engine;
using StatefulGuard.Serve;

namespace StatefulGuard.Commands;

/// <summary>Dispatches <c>statefulguard serve | audit | mutate | rules</c>; <c>serve</c> is the default.</summary>
internal static class CommandLine
{
    public const int Ok = 0;
    public const int Violations = 1;
    public const int Usage = 2;

    public const string Help = """
        statefulguard — keeps StatefulSets reachable and operable.

        Usage:
          statefulguard [serve] [--urls URL]   run the admission webhook (default https://0.0.0.0:8443)
          statefulguard audit PATH...          dry-run the rules over manifest files, directories or - (stdin)
              --format text|json|sarif         report format (default text)
              --mode enforce|audit             enforce (default) fails on what the webhook would deny; audit never fails
              --cluster [--namespace NS]       also (or, without PATH, only) look at the live cluster
              --color / --no-color             override terminal detection
          statefulguard mutate PATH...         print the manifests with the defaults the webhook would inject
              --diff                           print only what changes, as a unified diff
              --kubernetes-version 1.31        the target cluster's version (chooses the preStop form)
          statefulguard rules                  list the rule catalogue
              --format text|json|markdown

        audit exit codes: 0 nothing enforce mode would deny, 1 violations, 2 unreadable input or bad usage.
        Configuration: appsettings.json beside the binary, overridden by StatefulGuard__Key environment variables.
        """;

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        KubeJson.Initialize();
        var command = args.Length == 0 || args[0].StartsWith('-') ? "serve" : args[0];
        var rest = args.Length == 0 || args[0].StartsWith('-') ? args : args[1..];
        switch (command)
        {
            case "serve" when rest.Contains("--help") || rest.Contains("-h"):
            case "help":
                await stdout.WriteAsync(Help);
                return Ok;
            case "serve":
                return await ServeCommand.RunAsync(rest);
            case "audit":
                return await AuditCommand.RunAsync(rest, stdin, stdout, stderr);
            case "mutate":
                return MutateCommand.Run(rest, stdin, stdout, stderr);
            case "rules":
                return RulesCommand.Run(rest, stdout, stderr);
            default:
                await stderr.WriteLineAsync($"statefulguard: unknown command '{command}'\n");
                await stderr.WriteAsync(Help);
                return Usage;
        }
    }
}
