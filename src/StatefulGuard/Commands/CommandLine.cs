using System.CommandLine;
using StatefulGuard.Core.Engine;
using StatefulGuard.Serve;

namespace StatefulGuard.Commands;

/// <summary>
/// <c>statefulguard serve | audit | mutate | rules | completion</c>, parsed by System.CommandLine with kubectl's
/// conventions: <c>--help</c>/<c>-h</c> on every command, <c>--version</c>, unknown commands and options an error with
/// the command's usage and exit 2 (never a silent <c>serve</c>), and shell completion. With no command it serves.
/// </summary>
internal static class CommandLine
{
    public const int Ok = 0;
    public const int Violations = 1;
    public const int Usage = 2;

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        // Configuration keys are accepted on serve's command line as ASP.NET reads them (--StatefulGuard:Mode=Audit), above
        // appsettings.json and environment variables; they are taken out before parsing, so any other token stays an error.
        var serving = args.Length == 0 || args[0] == "serve" || args[0].StartsWith('-');
        string[] overrides = serving ? [.. args.Where(IsConfigurationOverride)] : [];
        var root = Build(stdin, stdout, stderr, overrides);
        var result = root.Parse([.. args.Where(a => !overrides.Contains(a))]);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                await stderr.WriteLineAsync($"statefulguard: {error.Message}");
            }

            await stderr.WriteLineAsync();
            var path = new List<string>();
            for (var command = result.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
            {
                path.Insert(0, command.Command.Name);
            }

            await root.Parse([.. path.Skip(1), "--help"]).InvokeAsync(new InvocationConfiguration { Output = stderr, Error = stderr });
            return Usage;
        }

        try
        {
            return await result.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Never a stack trace for a user: the input (or the machine) did something the tool did not foresee.
            await stderr.WriteLineAsync($"statefulguard: {string.Join(' ', args.Take(1))} failed: {ex.GetType().Name}: {ex.Message}");
            return Usage;
        }
    }

    /// <summary>
    /// The configuration an offline command runs with (appsettings.json and StatefulGuard__ variables, as serve reads
    /// them); false, with every problem printed under the command's name, when it is invalid.
    /// </summary>
    internal static bool TryConfiguration(string command, TextWriter stderr, out Configuration.StatefulGuardOptions options, out RuleSet rules)
    {
        var problems = Configuration.StatefulGuardOptionsValidator.Check(Configuration.ConfigurationLoader.Build(), RuleCatalog.Default, out options, out rules);
        if (problems.Count == 0)
        {
            return true;
        }

        stderr.WriteLine($"statefulguard {command}: invalid configuration:");
        foreach (var problem in problems)
        {
            stderr.WriteLine($"  {problem}");
        }

        return false;
    }

    private static readonly string[] HostSettings = ["--urls", "--contentRoot", "--environment", "--applicationName"];

    private static RootCommand Build(TextReader stdin, TextWriter stdout, TextWriter stderr, string[] overrides)
    {
        // The host's own settings, as ASP.NET takes them from a command line (a test host passes them too): hidden.
        Option<string?>[] host = [.. HostSettings.Select(name => new Option<string?>(name)
        {
            Description = name == "--urls" ? $"where to listen (default {ServeCommand.DefaultUrl}; also ASPNETCORE_URLS)" : null,
            Hidden = name != "--urls",
        })];
        var serve = new Command("serve", "run the admission webhook (the default with no command)");
        var root = new RootCommand("statefulguard — keeps StatefulSets reachable and operable. Configuration: appsettings.json beside the binary, overridden by StatefulGuard__Key environment variables.")
        {
            serve, Audit(stdin, stdout, stderr), Mutate(stdin, stdout, stderr), Rules(stdout), Exceptions(stdin, stdout, stderr), Completion(stdout),
        };
        foreach (var command in new Command[] { root, serve })
        {
            foreach (var option in host)
            {
                command.Options.Add(option);
            }

            command.SetAction((result, _) => ServeCommand.RunAsync(
                [.. host.Where(o => result.GetValue(o) is not null).Select(o => $"{o.Name}={result.GetValue(o)}"), .. overrides]));
        }

        return root;
    }

    /// <summary>A key of the StatefulGuard or Serilog section with its value, in the one form the host reads: --Section:Key=value.</summary>
    private static bool IsConfigurationOverride(string token) =>
        (token.StartsWith("--StatefulGuard:", StringComparison.OrdinalIgnoreCase) || token.StartsWith("--Serilog:", StringComparison.OrdinalIgnoreCase))
        && token.IndexOf('=', StringComparison.Ordinal) > token.IndexOf(':', StringComparison.Ordinal) + 1;

    private static Command Audit(TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var paths = Paths(new Argument<string[]>("PATH") { Description = "manifest files, directories (recursively *.yaml, *.yml, *.json) or - for stdin", Arity = ArgumentArity.ZeroOrMore });
        var format = new Option<string>("--format", "-o") { Description = "report format", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "sarif", "junit", "markdown", "html");
        var mode = new Option<string>("--mode") { Description = "enforce fails on what the webhook would deny; audit never fails", DefaultValueFactory = _ => "enforce" };
        var warningsAsFailures = new Option<bool>("--warnings-as-failures") { Description = "with --mode enforce: warnings fail the run (exit 1, JUnit failures) as denials do" };
        mode.AcceptOnlyFromAmong("enforce", "audit");
        var cluster = new Option<bool>("--cluster") { Description = "also (or, without PATH, only) look at the live cluster (kubeconfig as kubectl finds it)" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "with --cluster: only this namespace" };
        var color = new Option<bool>("--color") { Description = "color the text report even when not on a terminal" };
        var noColor = new Option<bool>("--no-color") { Description = "never color the text report (also NO_COLOR)" };
        var (exceptions, now) = (ExceptionsOption(), NowOption());
        var command = new Command("audit", "dry-run the rules over manifests; exit 0 = nothing enforce mode would deny, 1 = violations, 2 = unreadable input or bad usage")
        {
            paths, format, mode, warningsAsFailures, cluster, ns, color, noColor, exceptions, now,
        };
        command.SetAction((result, _) => AuditCommand.RunAsync(
            new AuditArguments(result.GetValue(paths) ?? [], result.GetValue(format)!, result.GetValue(mode)!, result.GetValue(cluster), result.GetValue(ns),
                result.GetValue(color), result.GetValue(noColor))
            {
                Exceptions = result.GetValue(exceptions) ?? [], Now = result.GetValue(now), WarningsAsFailures = result.GetValue(warningsAsFailures),
            },
            stdin, stdout, stderr));
        return command;
    }

    /// <summary>An option-like token the command does not know is an unknown option, never a path (a typo must not change a CI job).</summary>
    private static Argument<string[]> Paths(Argument<string[]> paths)
    {
        paths.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.Length > 1 && token.Value[0] == '-')
                {
                    result.AddError($"unknown option '{token.Value}'");
                }
            }
        });
        return paths;
    }

    private static Command Mutate(TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var paths = Paths(new Argument<string[]>("PATH") { Description = "manifest files, directories or - for stdin", Arity = ArgumentArity.OneOrMore });
        var diff = new Option<bool>("--diff") { Description = "print only what changes, as a unified diff" };
        var version = new Option<string?>("--kubernetes-version") { Description = "the target cluster's version, e.g. 1.31 (chooses the preStop form)" };
        var companions = new Option<bool>("--companions") { Description = "also print, after each StatefulSet, the headless Service and PodDisruptionBudget it lacks" };
        var publishNotReady = new Option<bool>("--publish-not-ready") { Description = "with --companions: the Services publish pods that are not ready yet (peers that must find each other to start)" };
        var cluster = new Option<bool>("--cluster") { Description = "also look at the live cluster: what it has is not printed again (kubeconfig as kubectl finds it)" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "with --cluster: only this namespace" };
        var (exceptions, now) = (ExceptionsOption(), NowOption());
        var command = new Command("mutate", "print the manifests with the defaults the webhook would inject (YAML for kubectl apply -f -)")
        {
            paths, diff, version, companions, publishNotReady, cluster, ns, exceptions, now,
        };
        command.SetAction((result, _) => MutateCommand.RunAsync(
            new MutateArguments(result.GetValue(paths) ?? [], result.GetValue(diff), result.GetValue(version))
            {
                Exceptions = result.GetValue(exceptions) ?? [], Now = result.GetValue(now), Companions = result.GetValue(companions),
                PublishNotReady = result.GetValue(publishNotReady), Cluster = result.GetValue(cluster), Namespace = result.GetValue(ns),
            },
            stdin, stdout, stderr));
        return command;
    }

    private static Option<string[]> ExceptionsOption() => new("--exceptions")
    {
        Description = "files or directories with StatefulGuardExceptions to apply (those in the input apply too)",
        AllowMultipleArgumentsPerToken = true,
    };

    private static Option<DateTimeOffset?> NowOption() => new("--now")
    {
        Description = "the moment exceptions expire against, RFC 3339 (default: now), for reproducible CI runs",
    };

    private static Command Exceptions(TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var paths = Paths(new Argument<string[]>("PATH") { Description = "manifest files, directories or - for stdin", Arity = ArgumentArity.ZeroOrMore });
        var cluster = new Option<bool>("--cluster") { Description = "list the live cluster's exceptions (kubeconfig as kubectl finds it)" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "with --cluster: only this namespace" };
        var format = new Option<string>("--format", "-o") { Description = "output format", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var now = NowOption();
        var command = new Command("exceptions", "list StatefulGuardExceptions with their state: active, expiring soon, expired, matching nothing, invalid")
        {
            paths, cluster, ns, format, now,
        };
        command.SetAction((result, _) => ExceptionsCommand.RunAsync(result.GetValue(paths) ?? [], result.GetValue(cluster), result.GetValue(ns),
            result.GetValue(format)!, result.GetValue(now), stdin, stdout, stderr));
        return command;
    }

    private static Command Rules(TextWriter stdout)
    {
        var format = new Option<string>("--format", "-o") { Description = "output format", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "markdown");
        var command = new Command("rules", "list the rule catalogue: id, kind, default action, description and options") { format };
        command.SetAction(result => RulesCommand.Run(result.GetValue(format)!, stdout));
        return command;
    }

    private static Command Completion(TextWriter stdout)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "print a shell completion script: source <(statefulguard completion bash)") { shell };
        command.SetAction(result =>
        {
            stdout.Write(CompletionScript(result.GetValue(shell)!));
            return Ok;
        });
        return command;
    }

    /// <summary>
    /// The script asks the binary itself for completions through System.CommandLine's <c>[suggest:N]</c> directive,
    /// so it always matches the installed version's commands and options.
    /// </summary>
    internal static string CompletionScript(string shell) => shell == "zsh"
        ? """
          #compdef statefulguard
          _statefulguard() {
            local -a items
            items=("${(@f)$(statefulguard "[suggest:${#${(j: :)words[1,CURRENT]}}]" "${(j: :)words}" 2>/dev/null)}")
            compadd -a items
          }
          compdef _statefulguard statefulguard

          """
        : """
          _statefulguard() {
            local IFS=$'\n'
            COMPREPLY=($(statefulguard "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
          }
          complete -o default -F _statefulguard statefulguard

          """;
}
