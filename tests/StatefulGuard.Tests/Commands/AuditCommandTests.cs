using StatefulGuard.Commands;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Commands;

/// <summary><c>statefulguard audit</c> and <c>rules</c>, as CI runs them.</summary>
[Trait("Category", "Binary")]
public sealed class AuditCommandTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("sg-audit-");

    public void Dispose() => temp.Delete(recursive: true);

    private static async Task<(int Exit, string Out, string Err)> Run(string[] args, string stdin = "")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(args, new StringReader(stdin), output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Bundled_examples_show_real_verdicts_and_exit_1()
    {
        var (exit, output, _) = await Run(["audit", "--no-color", Repository.Examples]);

        Assert.Equal(1, exit);
        Assert.Matches(@"examples/postgres\.yaml:29  StatefulSet shop/postgres  ok", output);
        Assert.Matches(@"examples/etcd-list\.json:46  StatefulSet platform/etcd  ok", output);
        Assert.Contains("StatefulSet coordination/zk", output);
        Assert.Contains("Service \"zk-hs\" named by spec.serviceName was not found in the input (namespace \"coordination\")", output);
        Assert.Contains("Service \"redis\" is not headless", output);
        Assert.Contains("label component missing (selector wants broker)", output);
        Assert.Contains("StatefulSet legacy/old-mongo  skipped (namespace mode off)", output);
        Assert.Contains("6 StatefulSets checked in 14 documents: 3 would be denied, 0 with warnings, 2 clean, 1 skipped.", output);
        Assert.DoesNotContain("\u001b[", output);
    }

    [Fact]
    public async Task Clean_input_exits_0()
    {
        var (exit, output, _) = await Run(["audit", Path.Combine(Repository.Examples, "postgres.yaml"), Path.Combine(Repository.Examples, "etcd-list.json")]);

        Assert.Equal(0, exit);
        Assert.Contains("2 StatefulSets checked in 6 documents: 0 would be denied, 0 with warnings, 2 clean.", output);
    }

    [Fact]
    public async Task Service_from_another_file_in_the_input_resolves_serviceName()
    {
        var parts = File.ReadAllText(Path.Combine(Repository.Examples, "postgres.yaml")).Split("---"); // Service, PDB, StatefulSet
        File.WriteAllText(Path.Combine(temp.FullName, "sts.yaml"), parts[2]);
        File.WriteAllText(Path.Combine(temp.FullName, "svc.yaml"), parts[0] + "---" + parts[1]);

        Assert.Equal(0, (await Run(["audit", temp.FullName])).Exit);
        Assert.Equal(1, (await Run(["audit", Path.Combine(temp.FullName, "sts.yaml")])).Exit);
    }

    [Fact]
    public async Task Stdin_is_read_for_dash()
    {
        var (exit, output, _) = await Run(["audit", "-"], File.ReadAllText(Path.Combine(Repository.Examples, "zookeeper.yaml")));

        Assert.Equal(1, exit);
        Assert.Contains("-:18  StatefulSet coordination/zk", output);
    }

    [Fact]
    public async Task Unreadable_input_alone_exits_2_and_says_where()
    {
        var broken = Path.Combine(temp.FullName, "broken.yaml");
        File.WriteAllText(broken, "apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n");

        var (exit, _, error) = await Run(["audit", broken]);

        Assert.Equal(2, exit);
        Assert.Contains($"{broken}:", error);
        Assert.Contains("invalid YAML", error);
    }

    [Fact]
    public async Task A_broken_file_does_not_stop_the_others_from_being_audited()
    {
        File.WriteAllText(Path.Combine(temp.FullName, "a-broken.yaml"), "key: [unclosed\n");
        File.Copy(Path.Combine(Repository.Examples, "zookeeper.yaml"), Path.Combine(temp.FullName, "b-zk.yaml"));

        var (exit, output, error) = await Run(["audit", temp.FullName]);

        Assert.Equal(1, exit);
        Assert.Contains("a-broken.yaml", error);
        Assert.Contains("1 would be denied", output);
        Assert.Contains("1 unreadable", output);
    }

    [Theory]
    [InlineData(new[] { "audit" }, "no input")]
    [InlineData(new[] { "audit", "--format=xml", "x" }, "Argument 'xml' not recognized. Must be one of")]
    [InlineData(new[] { "audit", "--frmat", "json", "x" }, "unknown option")]
    [InlineData(new[] { "audit", "--mode", "off", "x" }, "Argument 'off' not recognized. Must be one of")]
    [InlineData(new[] { "audit", "--namespace", "a", "x" }, "--namespace needs --cluster")]
    [InlineData(new[] { "mutate" }, "Required argument missing for command: 'mutate'")]
    [InlineData(new[] { "rules", "--format", "yaml" }, "Argument 'yaml' not recognized. Must be one of")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new[] { "--frobnicate" }, "Unrecognized command or argument '--frobnicate'")]
    [InlineData(new[] { "serve", "--port", "1" }, "Unrecognized command or argument '--port'")]
    [InlineData(new[] { "rules", "extra" }, "Unrecognized command or argument 'extra'")]
    public async Task Bad_usage_exits_2(string[] args, string expected)
    {
        var (exit, _, error) = await Run(args);
        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        Assert.Contains("Usage:", error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Every_command_has_help(string flag)
    {
        foreach (var command in new[] { "serve", "audit", "mutate", "rules", "completion" })
        {
            // The real executable: the usage line names the binary as it was started.
            var (exit, output, _) = await CliTests.RunAsync([command, flag]);
            Assert.Equal(0, exit);
            Assert.Contains($"statefulguard {command}", output);
        }
    }

    [Fact]
    public async Task Version_prints_the_version_instead_of_serving()
    {
        // The real executable: in process, the version would be the test host's.
        var (exit, output, _) = await CliTests.RunAsync(["--version"]);
        Assert.Equal(0, exit);

        // The project's version, then the commit it was built from when there is one (a checkout or the Dockerfile's REVISION).
        var version = System.Text.RegularExpressions.Regex.Match(
            File.ReadAllText(Path.Combine(Support.Repository.Root, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(version)}(\+[0-9a-f]+)?\s*$", output);
    }

    [Fact]
    public async Task Completion_scripts_ask_the_binary_for_suggestions()
    {
        var (exit, output, _) = await Run(["completion", "bash"]);
        Assert.Equal(0, exit);
        Assert.Contains("[suggest:${COMP_POINT}]", output);
        Assert.Contains("complete -o default -F _statefulguard statefulguard", output);

        var (suggestExit, suggestions, _) = await Run(["[suggest:22]", "statefulguard audit --f"]);
        Assert.Equal(0, suggestExit);
        Assert.Contains("--format", suggestions);
    }

    [Fact]
    public async Task Missing_path_exits_2()
    {
        var (exit, _, error) = await Run(["audit", Path.Combine(temp.FullName, "nope")]);
        Assert.Equal(2, exit);
        Assert.Contains("no such file or directory", error);
    }

    [Fact]
    public async Task Rules_lists_the_catalogue()
    {
        var (exit, output, _) = await Run(["rules"]);
        Assert.Equal(0, exit);
        Assert.Matches(@"headless-service\s+validating\s+deny\s+Reachability\s+high\s+spec\.serviceName names a headless Service", output);
    }
}
