using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using StatefulGuard.Tests.Support;
using static StatefulGuard.Tests.Support.ReportFixtures;

namespace StatefulGuard.Tests.Commands;

/// <summary><c>audit --format junit</c>: what Jenkins, GitLab and the test reporters read, valid against the JUnit schema.</summary>
[Trait("Category", "Binary")]
public sealed class JUnitReportTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("sg-junit-");

    public void Dispose() => temp.Delete(recursive: true);

    /// <summary>Parses the report, failing with every schema violation listed.</summary>
    internal static XDocument Valid(string xml)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Schema);
        var problems = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas };
        settings.ValidationEventHandler += (_, e) => problems.Add($"{e.Severity} line {e.Exception?.LineNumber}: {e.Message}");
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        var document = XDocument.Load(reader, LoadOptions.SetLineInfo);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        return document;
    }

    private static XmlReader Schema => XmlReader.Create(JUnitSchema);

    private static XElement Case(XDocument report, string className, string rule) =>
        report.Descendants("testcase").Single(t => (string?)t.Attribute("classname") == className && (string?)t.Attribute("name") == rule);

    private static int Count(XElement element, string attribute) => (int)element.Attribute(attribute)!;

    [Fact]
    public async Task The_schema_rejects_what_ci_readers_do_not_accept()
    {
        // The check is only worth something if it can fail: an outcome after system-out, an attribute Jenkins does not know.
        var wrongOrder = "<testsuites><testsuite name='a' tests='1' failures='1' errors='0'><testcase name='r'><system-out>x</system-out><failure message='m'/></testcase></testsuite></testsuites>";
        var unknownAttribute = "<testsuites><testsuite name='a' tests='1' failures='0' errors='0'><testcase name='r' line='3'/></testsuite></testsuites>";
        var missingCounts = "<testsuites><testsuite name='a'/></testsuites>";

        foreach (var xml in new[] { wrongOrder, unknownAttribute, missingCounts })
        {
            Assert.ThrowsAny<Exception>(() => Valid(xml));
        }

        var (_, output, _) = await Run("audit", "--format", "junit", Repository.Examples);
        Valid(output);
    }

    [Fact]
    public async Task Examples_give_a_suite_per_file_a_case_per_statefulset_and_rule_and_denials_as_failures()
    {
        var (exit, output, _) = await Run("audit", "--format", "junit", Repository.Examples);

        Assert.Equal(1, exit); // the exit code is the text report's
        var report = Valid(output);
        var root = report.Root!;
        var suites = root.Elements("testsuite").ToList();
        Assert.Equal(["etcd-list.json", "kafka.yaml", "legacy-namespace.yaml", "postgres.yaml", "redis.yaml", "zookeeper.yaml"],
            suites.Select(s => Path.GetFileName((string)s.Attribute("name")!)));

        // Six StatefulSets, each with every validating rule and the apiVersion check.
        var perObject = Count(suites[0], "tests");
        Assert.True(perObject >= 11, $"{perObject} cases per StatefulSet");
        Assert.Equal(6 * perObject, Count(root, "tests"));
        Assert.Equal(3, Count(root, "failures"));
        Assert.Equal(0, Count(root, "errors"));
        Assert.Equal(suites.Sum(s => Count(s, "tests")), Count(root, "tests"));
        Assert.All(suites, s => Assert.Equal(s.Elements("testcase").Count(t => t.Element("failure") is not null), Count(s, "failures")));
        Assert.All(suites, s => Assert.Equal(s.Elements("testcase").Count(t => t.Element("skipped") is not null), Count(s, "skipped")));

        var denied = Case(report, "coordination/zk", "headless-service").Element("failure")!;
        Assert.Equal("service-missing", (string?)denied.Attribute("type"));
        Assert.Equal("Service \"zk-hs\" named by spec.serviceName was not found in the input (namespace \"coordination\")", (string?)denied.Attribute("message"));
        Assert.Contains($"{Path.Combine(Repository.Examples, "zookeeper.yaml")}:24  StatefulSet coordination/zk", denied.Value);
        Assert.Contains("fix: add a headless Service \"zk-hs\" (clusterIP: None)", denied.Value);
        Assert.Contains("add:\napiVersion: v1\nkind: Service", denied.Value); // the object to add, ready to paste

        // A warning passes (shown in its output); a rule with nothing to say passes empty.
        var warned = Case(report, "coordination/zk", "resources");
        Assert.Null(warned.Element("failure"));
        Assert.Contains("WARN resources (missing-requests)", warned.Element("system-out")!.Value);
        Assert.False(Case(report, "shop/postgres", "headless-service").HasElements);

        // A namespace whose mode is off: every rule skipped, saying why.
        var legacy = suites.Single(s => ((string)s.Attribute("name")!).EndsWith("legacy-namespace.yaml", StringComparison.Ordinal));
        Assert.Equal(perObject, Count(legacy, "skipped"));
        Assert.Equal("namespace legacy has statefulguard.io/mode: off", (string?)legacy.Element("testcase")!.Element("skipped")!.Attribute("message"));
    }

    [Fact]
    public async Task Warnings_fail_only_with_warnings_as_failures_in_enforce_mode()
    {
        var (exit, output, _) = await Run("audit", "--format", "junit", ReportFixtures.WarningsOnly);
        Assert.Equal(0, exit);
        Assert.Equal(0, Count(Valid(output).Root!, "failures"));

        (exit, output, _) = await Run("audit", "--format", "junit", "--warnings-as-failures", ReportFixtures.WarningsOnly);
        Assert.Equal(1, exit);
        var report = Valid(output);
        var failure = Case(report, "search/index", "image-tag").Element("failure")!;
        Assert.Equal("latest", (string?)failure.Attribute("type"));
        Assert.StartsWith("WARN image-tag", failure.Value, StringComparison.Ordinal);
        Assert.Equal("true", report.Descendants("property").Single(p => (string?)p.Attribute("name") == "statefulguard.warnings-as-failures").Attribute("value")!.Value);

        // The flag means the same in every format; audit mode never fails, so the two together are a usage error.
        Assert.Equal(1, (await Run("audit", "--warnings-as-failures", ReportFixtures.WarningsOnly)).Exit);
        var (usage, _, error) = await Run("audit", "--format", "junit", "--mode", "audit", "--warnings-as-failures", ReportFixtures.WarningsOnly);
        Assert.Equal(2, usage);
        Assert.Contains("--warnings-as-failures needs --mode enforce", error);
    }

    [Fact]
    public async Task Audit_mode_keeps_the_failures_and_exits_0()
    {
        var (exit, output, _) = await Run("audit", "--format", "junit", "--mode", "audit", Repository.Examples);

        Assert.Equal(0, exit);
        var report = Valid(output);
        Assert.Equal(3, Count(report.Root!, "failures")); // what enforce mode would deny is still the finding it is
        Assert.Equal("audit", report.Descendants("property").First(p => (string?)p.Attribute("name") == "statefulguard.mode").Attribute("value")!.Value);
    }

    [Fact]
    public async Task A_waived_finding_is_skipped_with_the_exception_and_its_reason()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "exceptions");
        var (exit, output, _) = await Run("audit", "--format", "junit", "--now", "2026-12-03T00:00:00Z", folder);

        Assert.Equal(0, exit);
        var skipped = Valid(output).Descendants("testcase").Single(t => (string?)t.Attribute("name") == "headless-service").Element("skipped")!;
        Assert.StartsWith("waived by exception gitops/controller-sharding: shards are assigned by ordinal", (string?)skipped.Attribute("message"), StringComparison.Ordinal);
        Assert.Contains("WAIVED headless-service", skipped.Value);
    }

    [Fact]
    public async Task A_rule_switched_off_is_skipped_and_says_where_it_was_switched_off()
    {
        var (exit, output, error) = await CliTests.RunAsync(["audit", "--format", "junit", "examples/redis.yaml"],
            environment: new Dictionary<string, string> { ["StatefulGuard__Rules__headless-service__Action"] = "Off" });

        Assert.True(exit == 0, error);
        var skipped = Case(Valid(output), "cache/redis", "headless-service").Element("skipped")!;
        Assert.Equal("rule switched off (StatefulGuard:Rules:headless-service:Action is Off)", (string?)skipped.Attribute("message"));
    }

    [Fact]
    public async Task An_unreadable_document_is_an_error_case_and_the_rest_is_still_reported()
    {
        var broken = Path.Combine(temp.FullName, "broken.yaml");
        File.WriteAllText(broken, "apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n");

        var (exit, output, _) = await Run("audit", "--format", "junit", broken, Path.Combine(Repository.Examples, "postgres.yaml"));

        Assert.Equal(0, exit); // as in every format: the broken document is reported, the others audited (and clean)
        var report = Valid(output);
        var suite = report.Root!.Elements("testsuite").Single(s => (string?)s.Attribute("name") == broken);
        Assert.Equal(1, Count(suite, "errors"));
        var error = suite.Element("testcase")!.Element("error")!;
        Assert.Contains("invalid YAML", (string?)error.Attribute("message"));
        Assert.Equal(1, Count(report.Root!, "errors"));
        Assert.Contains(report.Root!.Elements("testsuite"), s => ((string)s.Attribute("name")!).EndsWith("postgres.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Markup_and_control_characters_from_the_input_stay_text_in_a_valid_report()
    {
        var (_, output, _) = await Run("audit", "--format", "junit", ReportFixtures.Hostile);

        var report = Valid(output);
        var failure = Case(report, "markup/db\uFFFD", "headless-service").Element("failure")!;
        Assert.Contains("<img src=x onerror=alert(1)>", (string?)failure.Attribute("message"));
        Assert.DoesNotContain(report.Descendants(), e => e.Name.LocalName == "img");
    }
}
