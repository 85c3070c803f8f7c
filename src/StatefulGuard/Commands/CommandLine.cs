using StatefulGuard.Serve;

namespace StatefulGuard.Commands;

/// <summary>Dispatches <c>statefulguard serve | audit | rules</c>; <c>serve</c> is the default.</summary>
internal static class CommandLine
{
    public const int Ok = 0;
    public const int Violations = 1;
    public const int Usage = 2;

    public const string Help = """
        statefulguard — keeps StatefulSets reachable and operable.

        Usage:
          statefulguard [serve] [--urls URL]     run the admission webhook (default https://0.0.0.0:8443)
          statefulguard audit PATH... [options]  dry-run the rules over manifest files, directories or - (stdin)
          statefulguard rules                    list the rule catalogue

        audit exit codes: 0 nothing enforce mode would deny, 1 violations, 2 unreadable input or bad usage.
        Configuration: appsettings.json beside the binary, overridden by StatefulGuard__Key environment variables.
        """;

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
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
                return AuditCommand.Run(rest, stdin, stdout, stderr);
            case "rules":
                return RulesCommand.Run(rest, stdout, stderr);
            default:
                await stderr.WriteLineAsync($"statefulguard: unknown command '{command}'\n");
                await stderr.WriteAsync(Help);
                return Usage;
        }
    }
}
