using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Commands;

/// <summary><c>statefulguard rules</c>: the rule catalogue.</summary>
internal static class RulesCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length > 0)
        {
            stderr.WriteLine($"statefulguard rules: unexpected argument '{args[0]}'");
            return CommandLine.Usage;
        }

        var rules = RuleCatalog.Default.Rules;
        var idWidth = Math.Max("RULE".Length, rules.Max(r => r.Descriptor.Id.Length));
        stdout.WriteLine($"{"RULE".PadRight(idWidth)}  {"KIND",-10}  {"DEFAULT",-7}  DESCRIPTION");
        foreach (var rule in rules)
        {
            var d = rule.Descriptor;
            stdout.WriteLine($"{d.Id.PadRight(idWidth)}  {d.Kind.ToString().ToLowerInvariant(),-10}  {DefaultAction(d),-7}  {d.Description}");
        }

        return CommandLine.Ok;
    }

    /// <summary>A mutating rule that is on injects; Deny and Warn only mean something for validating rules.</summary>
    internal static string DefaultAction(RuleDescriptor descriptor) =>
        descriptor.Kind == RuleKind.Mutating && descriptor.DefaultAction != RuleAction.Off
            ? "inject"
            : descriptor.DefaultAction.ToString().ToLowerInvariant();
}
