using System.Text;
using System.Text.Json;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Commands;

/// <summary><c>statefulguard rules [--format text|json|markdown]</c>: the rule catalogue with each rule's options.</summary>
internal static class RulesCommand
{
    public static int Run(string format, TextWriter stdout)
    {
        var rules = RuleCatalog.Default.Rules;
        switch (format)
        {
            case "json":
                stdout.WriteLine(Json(rules));
                break;
            case "markdown":
                stdout.Write(Markdown(rules));
                break;
            default:
                var idWidth = Math.Max("RULE".Length, rules.Max(r => r.Descriptor.Id.Length));
                stdout.WriteLine($"{"RULE".PadRight(idWidth)}  {"KIND",-10}  {"DEFAULT",-7}  {"CATEGORY",-12}  {"SEVERITY",-8}  DESCRIPTION");
                foreach (var rule in rules)
                {
                    var d = rule.Descriptor;
                    stdout.WriteLine($"{d.Id.PadRight(idWidth)}  {d.Kind.ToString().ToLowerInvariant(),-10}  {DefaultAction(d),-7}  {d.Category,-12}  {Severity(d),-8}  {d.Description}");
                    foreach (var (name, value) in Options(rule))
                    {
                        stdout.WriteLine($"{"".PadRight(idWidth)}  {"",-10}  {"",-7}  {"",-12}  {"",-8}    {name}: {value}");
                    }
                }

                break;
        }

        return CommandLine.Ok;
    }

    /// <summary>The rule table and each rule's help, as docs/rules.md shows them; a test keeps the page equal to it.</summary>
    public static string Markdown(IEnumerable<IRule> rules)
    {
        var text = new StringBuilder();
        text.Append("| rule | kind | default | category | severity | what it does | options |\n|---|---|---|---|---|---|---|\n");
        foreach (var rule in rules.OrderBy(r => r.Descriptor.Kind).ThenBy(r => r.Descriptor.DefaultAction).ThenBy(r => r.Descriptor.Id, StringComparer.Ordinal))
        {
            var d = rule.Descriptor;
            var options = string.Join(", ", Options(rule).Select(o => $"`{o.Name}` ({o.Default})"));
            text.Append($"| `{d.Id}` | {d.Kind.ToString().ToLowerInvariant()} | {DefaultAction(d)} | {d.Category} | {Severity(d)} | {d.Description} | {(options.Length > 0 ? options : "—")} |\n");
        }

        // Why each rule matters, what it reports and on what evidence.
        foreach (var rule in rules.OrderBy(r => r.Descriptor.Id, StringComparer.Ordinal))
        {
            var d = rule.Descriptor;
            if (d.Help.Length > 0)
            {
                text.Append($"\n### `{d.Id}`\n\n{d.Help}\n");
            }
        }

        return text.ToString();
    }

    private static string Json(IEnumerable<IRule> rules)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var rule in rules)
            {
                var d = rule.Descriptor;
                json.WriteStartObject();
                json.WriteString("id", d.Id);
                json.WriteString("kind", d.Kind.ToString().ToLowerInvariant());
                json.WriteString("defaultAction", DefaultAction(d));
                json.WriteString("category", d.Category);
                json.WriteString("severity", Severity(d));
                json.WriteString("description", d.Description);
                json.WriteStartArray("reads");
                foreach (var kind in d.Reads)
                {
                    json.WriteStringValue(kind.Kind);
                }

                json.WriteEndArray();
                json.WriteString("help", d.Help);
                json.WriteStartArray("options");
                foreach (var (name, value) in Options(rule))
                {
                    json.WriteStartObject();
                    json.WriteString("name", name);
                    json.WriteString("default", value);
                    json.WriteString("key", $"StatefulGuard:Rules:{d.Id}:{name}");
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>As policy reports write it.</summary>
    public static string Severity(RuleDescriptor d) => d.Severity.ToString().ToLowerInvariant();

    /// <summary>A rule's parameters (every option but Action) with their defaults, read from its options type.</summary>
    private static IEnumerable<(string Name, string Default)> Options(IRule rule)
    {
        var defaults = Activator.CreateInstance(rule.OptionsType)!;
        foreach (var property in rule.OptionsType.GetProperties().Where(p => p.CanWrite && p.Name != nameof(RuleOptions.Action)))
        {
            var value = property.GetValue(defaults);
            var effective = rule.OptionsType.GetProperty("Effective" + property.Name)?.GetValue(defaults) ?? value;
            yield return (property.Name, effective switch
            {
                null => "unset",
                bool b => b ? "true" : "false",
                string s => s,
                System.Collections.IEnumerable list => list.Cast<object>().Any() ? string.Join(", ", list.Cast<object>()) : "none",
                _ => Convert.ToString(effective, System.Globalization.CultureInfo.InvariantCulture) ?? "",
            });
        }
    }

    /// <summary>A mutating rule that is on injects; Deny and Warn only mean something for validating rules.</summary>
    internal static string DefaultAction(RuleDescriptor descriptor) =>
        descriptor.Kind == RuleKind.Mutating && descriptor.DefaultAction != RuleAction.Off
            ? "inject"
            : descriptor.DefaultAction.ToString().ToLowerInvariant();
}
