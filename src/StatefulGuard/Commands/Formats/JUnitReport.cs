using System.Globalization;
using System.Text;
using System.Xml;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Commands.Formats;

/// <summary>
/// <c>audit --format junit</c>: JUnit XML as Jenkins, GitLab, Azure Pipelines and the GitHub test reporters read it
/// (the Jenkins xUnit <c>junit-10</c> schema; docs/reports.md). One <c>testsuite</c> per input file (per namespace from
/// the cluster), one <c>testcase</c> per StatefulSet and rule: a denial is a <c>failure</c>, so is a warning with
/// <c>--warnings-as-failures</c>; a rule switched off, a namespace whose mode is off or a waived finding is
/// <c>skipped</c>; an unreadable document is an <c>error</c>.
/// </summary>
internal static class JUnitReport
{
    public static void Write(Stream output, AuditReport report, IReadOnlyList<(RuleDescriptor Rule, RuleAction Action)> checks,
        ReportContext settings)
    {
        var suites = Suites(report);
        var cases = suites.ToDictionary(s => s.Name, s => s.Objects.SelectMany(o => Cases(o, checks, settings.WarningsAsFailures))
            .Concat(s.Errors.Select(InputError)).ToList());

        using (var xml = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), CloseOutput = false }))
        {
            WriteSuites(xml, suites, cases, settings);
        }

        output.Write("\n"u8);
    }

    private static void WriteSuites(XmlWriter xml, List<Suite> suites, Dictionary<string, List<TestCase>> cases, ReportContext settings)
    {
        xml.WriteStartDocument();
        xml.WriteStartElement("testsuites");
        xml.WriteAttributeString("name", "statefulguard audit");
        xml.WriteAttributeString("tests", Count(cases.Values.Sum(c => c.Count)));
        xml.WriteAttributeString("failures", Count(cases.Values.Sum(c => c.Count(t => t.Outcome == Outcome.Failure))));
        xml.WriteAttributeString("errors", Count(cases.Values.Sum(c => c.Count(t => t.Outcome == Outcome.Error))));
        xml.WriteAttributeString("time", settings.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture));

        foreach (var suite in suites)
        {
            var tests = cases[suite.Name];
            xml.WriteStartElement("testsuite");
            xml.WriteAttributeString("name", Text(suite.Name));
            xml.WriteAttributeString("tests", Count(tests.Count));
            xml.WriteAttributeString("failures", Count(tests.Count(t => t.Outcome == Outcome.Failure)));
            xml.WriteAttributeString("errors", Count(tests.Count(t => t.Outcome == Outcome.Error)));
            xml.WriteAttributeString("skipped", Count(tests.Count(t => t.Outcome == Outcome.Skipped)));
            xml.WriteAttributeString("timestamp", settings.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
            if (suite.File is { } file)
            {
                xml.WriteAttributeString("file", Text(file));
            }

            xml.WriteStartElement("properties");
            Property(xml, "statefulguard.mode", settings.Mode.ToString().ToLowerInvariant());
            Property(xml, "statefulguard.warnings-as-failures", settings.WarningsAsFailures ? "true" : "false");
            xml.WriteEndElement();

            foreach (var test in tests)
            {
                xml.WriteStartElement("testcase");
                xml.WriteAttributeString("classname", Text(test.ClassName));
                xml.WriteAttributeString("name", Text(test.Name));
                if (test.Outcome != Outcome.Passed)
                {
                    xml.WriteStartElement(test.Outcome switch { Outcome.Failure => "failure", Outcome.Error => "error", _ => "skipped" });
                    if (test.Type is { } type)
                    {
                        xml.WriteAttributeString("type", Text(type));
                    }

                    xml.WriteAttributeString("message", Text(test.Message));
                    if (test.Body.Length > 0)
                    {
                        xml.WriteString(Text(test.Body));
                    }

                    xml.WriteEndElement();
                }

                if (test.Outcome == Outcome.Passed && test.Body.Length > 0)
                {
                    xml.WriteElementString("system-out", Text(test.Body)); // warnings that do not fail: shown, not counted
                }

                xml.WriteEndElement();
            }

            if (suite.Warnings.Count > 0)
            {
                xml.WriteElementString("system-err", Text(string.Join('\n', suite.Warnings)));
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private enum Outcome
    {
        Passed,
        Failure,
        Skipped,
        Error,
    }

    private sealed record TestCase(string ClassName, string Name, Outcome Outcome, string Message, string Body, string? Type = null);

    private sealed record Suite(string Name, string? File, List<ObjectReport> Objects, List<ManifestError> Errors, List<string> Warnings);

    /// <summary>Suites in the order their first object or problem was read: a file, or a namespace of the cluster.</summary>
    private static List<Suite> Suites(AuditReport report)
    {
        var suites = new List<Suite>();
        var byName = new Dictionary<string, Suite>(StringComparer.Ordinal);
        Suite For(string source, string? ns)
        {
            var fromCluster = source.StartsWith("cluster:", StringComparison.Ordinal);
            var name = fromCluster ? $"cluster:{ns}" : source;
            if (!byName.TryGetValue(name, out var suite))
            {
                suite = new Suite(name, fromCluster || source == ManifestReader.StdinName ? null : source, [], [], []);
                byName[name] = suite;
                suites.Add(suite);
            }

            return suite;
        }

        foreach (var obj in report.Objects)
        {
            For(obj.Document.Source, obj.Namespace).Objects.Add(obj);
        }

        foreach (var problem in report.Errors)
        {
            var suite = For(problem.Source, null);
            if (problem.IsWarning)
            {
                suite.Warnings.Add(problem.ToString());
            }
            else
            {
                suite.Errors.Add(problem);
            }
        }

        return suites;
    }

    private static IEnumerable<TestCase> Cases(ObjectReport obj, IReadOnlyList<(RuleDescriptor Rule, RuleAction Action)> checks, bool warningsAsFailures)
    {
        var className = $"{obj.Namespace}/{obj.Name}";
        foreach (var (rule, action) in checks)
        {
            if (obj.Evaluation.Mode == GuardMode.Off)
            {
                yield return new TestCase(className, rule.Id, Outcome.Skipped, $"namespace {obj.Namespace} has statefulguard.io/mode: off", "");
                continue;
            }

            if (action == RuleAction.Off)
            {
                yield return new TestCase(className, rule.Id, Outcome.Skipped, $"rule switched off (StatefulGuard:Rules:{rule.Id}:Action is Off)", "");
                continue;
            }

            var verdicts = obj.Evaluation.Verdicts.Where(v => v.RuleId == rule.Id).ToList();
            var active = AuditTally.Ordered(obj.Evaluation).Where(v => v.RuleId == rule.Id && v.Waiver is null).ToList();
            if (active.Count > 0)
            {
                var first = active[0];
                var fails = first.EnforceAction == RuleAction.Deny || warningsAsFailures;
                var body = string.Join("\n\n", active.Select(v => Describe(obj, v)));
                yield return fails
                    ? new TestCase(className, rule.Id, Outcome.Failure, Message(first, active.Count), body, first.Finding.Code)
                    : new TestCase(className, rule.Id, Outcome.Passed, "", body);
            }
            else if (verdicts.FirstOrDefault(v => v.Waiver is not null)?.Waiver is { } waiver)
            {
                yield return new TestCase(className, rule.Id, Outcome.Skipped,
                    $"waived by exception {waiver.Exception}: {waiver.Reason}", string.Join("\n\n", verdicts.Select(v => Describe(obj, v))));
            }
            else
            {
                yield return new TestCase(className, rule.Id, Outcome.Passed, "", "");
            }
        }
    }

    private static string Message(Verdict first, int count) =>
        first.Finding.Message + (count > 1 ? $" (and {count - 1} more)" : "");

    /// <summary>One finding as the element text: what, where, the fix and, when there is one, the object to add.</summary>
    private static string Describe(ObjectReport obj, Verdict verdict)
    {
        var f = verdict.Finding;
        var text = new StringBuilder();
        text.Append(AuditTally.KindOf(verdict).ToUpperInvariant()).Append(' ').Append(f.RuleId).Append(" (").Append(f.Code).Append(')');
        if (f.Path is not null)
        {
            text.Append(" at ").Append(f.Path);
        }

        text.Append('\n').Append(obj.Document.Source);
        var line = obj.Document.LineOf(f.Path);
        if (line > 0)
        {
            text.Append(':').Append(line.ToString(CultureInfo.InvariantCulture));
        }

        text.Append("  StatefulSet ").Append(obj.Namespace).Append('/').Append(obj.Name);
        text.Append('\n').Append(f.Message).Append("\nfix: ").Append(f.Fix);
        if (verdict.Waiver is { } waiver)
        {
            text.Append('\n').Append(waiver.Warning).Append(": ").Append(waiver.Reason);
        }

        if (f.Suggested is { } suggested)
        {
            text.Append("\nadd:\n").Append(YamlWriter.Write(suggested).TrimEnd());
        }

        return text.ToString();
    }

    private static TestCase InputError(ManifestError error) =>
        new(error.Source, "read", Outcome.Error, error.Message, error.ToString(), "unreadable-input");

    private static void Property(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", value);
        xml.WriteEndElement();
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Text from the input as XML 1.0 can hold it: a control character a YAML escape put in a name or value becomes
    /// U+FFFD rather than an invalid report.
    /// </summary>
    internal static string Text(string value)
    {
        var index = 0;
        while (index < value.Length && XmlValid(value, index, out var width))
        {
            index += width;
        }

        if (index == value.Length)
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length;)
        {
            if (XmlValid(value, i, out var width))
            {
                text.Append(value, i, width);
                i += width;
            }
            else
            {
                text.Append('\uFFFD');
                i++;
            }
        }

        return text.ToString();
    }

    private static bool XmlValid(string value, int i, out int width)
    {
        width = 1;
        if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
        {
            width = 2;
            return true;
        }

        return XmlConvert.IsXmlChar(value[i]);
    }
}
