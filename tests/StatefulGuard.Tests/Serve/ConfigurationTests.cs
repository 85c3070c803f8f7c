using Microsoft.Extensions.DependencyInjection;
using StatefulGuard.Serve;

namespace StatefulGuard.Tests.Serve;

/// <summary>Invalid configuration stops start-up with a message that names the key.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("--StatefulGuard:Mode=Enforcing", "StatefulGuard:Mode")]
    [InlineData("--StatefulGuard:Mode=7", "StatefulGuard:Mode: must be Enforce, Audit or Off")]
    [InlineData("--StatefulGuard:MaxRequestBodyBytes=12", "StatefulGuard:MaxRequestBodyBytes: must be between 65536 and 67108864 (was 12)")]
    [InlineData("--StatefulGuard:Tls:CertFile=", "StatefulGuard:Tls:CertFile: must name a PEM certificate file")]
    [InlineData("--StatefulGuard:Tls:ClientCaFile=/nonexistent/ca.crt", "StatefulGuard:Tls:ClientCaFile: file '/nonexistent/ca.crt' does not exist")]
    [InlineData("--StatefulGuard:Cluster:WatchTimeoutSeconds=5", "StatefulGuard:Cluster:WatchTimeoutSeconds: must be between 10 and 3600 (was 5)")]
    [InlineData("--StatefulGuard:Cluster:UnverifiableAction=9", "StatefulGuard:Cluster:UnverifiableAction: must be Deny, Warn or Off")]
    [InlineData("--StatefulGuard:Rules:probes:TimeoutSeconds=0", "StatefulGuard:Rules:probes:TimeoutSeconds: must be between 1 and 300 (was 0)")]
    [InlineData("--StatefulGuard:Moed=Audit", "StatefulGuard:Moed")]
    [InlineData("--StatefulGuard:Rules:headless-servce:Action=Warn", "StatefulGuard:Rules:headless-servce")]
    [InlineData("--StatefulGuard:Rules:headless-service:Action=Block", "StatefulGuard:Rules:headless-service:Action")]
    [InlineData("--StatefulGuard:Rules:headless-service:RequireName=false", "StatefulGuard:Rules:headless-service")]
    [InlineData("--StatefulGuard:Cluster:Kubeconfig=/nonexistent/kubeconfig", "StatefulGuard:Cluster:Kubeconfig: file '/nonexistent/kubeconfig' does not exist")]
    [InlineData("--StatefulGuard:Rules:image-tag:Action=9", "StatefulGuard:Rules:image-tag:Action: must be Deny, Warn or Off")]
    [InlineData("--StatefulGuard:Reports:RenewDeadlineSeconds=20", "StatefulGuard:Reports:RenewDeadlineSeconds: must be less than LeaseDurationSeconds (15)")]
    [InlineData("--StatefulGuard:Reports:Format=5", "StatefulGuard:Reports:Format: must be OpenReports, PolicyReport, Both or Off")]
    [InlineData("--Serilog:MinimumLevel:Default=Loud", "Serilog:MinimumLevel:Default: 'Loud' is not one of Verbose, Debug, Information, Warning, Error, Fatal")]
    [InlineData("--Serilog:WriteTo:0:Name=Seq", "Serilog:WriteTo:0: the sink 'Seq' is not shipped (Console and File are)")]
    [InlineData("--Serilog:WriteTo:0:Name=File", "Serilog:WriteTo:0:Args:path: the File sink needs a path")]
    [InlineData("--Serilog:WriteTo:0:Args:pth=/tmp/x", "Serilog:WriteTo:0: the sink '' is not shipped")]
    [InlineData("--Serilog:Using:0=Serilog.Sinks.Seq", "Serilog:Using: not a setting StatefulGuard reads")]
    public async Task Invalid_value_stops_start_up_naming_the_key(string setting, string key)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = ServeCommand.Build(["--urls", "http://127.0.0.1:0", "--StatefulGuard:Cluster:Source=None", setting]);
            await app.StartAsync();
        });

        Assert.Contains(key, Describe(error));
    }

    [Fact]
    public async Task Every_problem_stops_start_up_in_one_message()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var app = ServeCommand.Build(["--urls", "http://127.0.0.1:0", "--StatefulGuard:Cluster:Source=None",
                "--StatefulGuard:Tls:ReloadIntervalSeconds=0", "--StatefulGuard:Rules:topology-spread:MaxSkew=0", "--StatefulGuard:Moed=Audit"]);
            await app.StartAsync();
        });

        Assert.Equal(
            [
                "StatefulGuard:Moed: unknown configuration key",
                "StatefulGuard:Tls:ReloadIntervalSeconds: must be between 1 and 3600 (was 0)",
                "StatefulGuard:Rules:topology-spread:MaxSkew: must be between 1 and 100 (was 0)",
            ],
            error.Failures);
    }

    [Fact]
    public async Task The_section_is_bound_once_for_the_options_and_the_rules()
    {
        await using var app = ServeCommand.Build(["--urls", "http://127.0.0.1:0", "--StatefulGuard:Cluster:Source=None", "--StatefulGuard:WarmupMilliseconds=0"]);
        var settings = app.Services.GetRequiredService<Configuration.StatefulGuardSettings>();

        Assert.Same(settings.Options, app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.StatefulGuardOptions>>().Value);
        Assert.Same(settings.Rules, app.Services.GetRequiredService<Core.Engine.RuleSet>());
        Assert.Empty(settings.Problems);
    }

    [Fact]
    public async Task Environment_style_override_of_a_rule_action_is_accepted()
    {
        await using var app = ServeCommand.Build(["--urls", "http://127.0.0.1:0", "--StatefulGuard:Cluster:Source=None",
            "--StatefulGuard:Mode=Audit", "--StatefulGuard:Rules:headless-service:Action=Warn", "--StatefulGuard:WarmupMilliseconds=0"]);
        await app.StartAsync();

        // Both overrides took effect in the engine the webhook uses: audit mode, and the rule's action lowered to Warn.
        var engine = app.Services.GetRequiredService<Core.Engine.RuleEngine>();
        Assert.Equal(Core.Engine.GuardMode.Audit, engine.Settings.Mode);
        Assert.Equal(Core.Rules.RuleAction.Warn, engine.Rules.Validating.Single(r => r.Id == "headless-service").Action);
        var sts = k8s.KubernetesJson.Deserialize<k8s.Models.V1StatefulSet>(StatefulGuard.Tests.Support.Fixtures.StatefulSet("cfg", serviceName: "missing"));
        var verdict = Assert.Single(engine.Validate(new Core.Engine.RuleInput(Core.Admission.Operation.Create, "cfg", sts, null),
            new Core.Cluster.StaticClusterView()).Verdicts, v => v.RuleId == "headless-service");
        Assert.Equal((Core.Rules.RuleAction.Warn, Core.Rules.RuleAction.Warn), (verdict.Action, verdict.EnforceAction));
        await app.StopAsync();
    }

    [Fact]
    public async Task Standard_serilog_settings_configure_levels_and_the_shipped_sinks()
    {
        var file = Path.Combine(Path.GetTempPath(), $"statefulguard-{Guid.NewGuid():N}.log");
        try
        {
            await using (var app = ServeCommand.Build(["--urls", "http://127.0.0.1:0", "--StatefulGuard:Cluster:Source=None",
                             "--Serilog:MinimumLevel:Default=Debug", "--Serilog:MinimumLevel:Override:Quiet.Part=Error",
                             "--Serilog:WriteTo:0:Name=File", $"--Serilog:WriteTo:0:Args:path={file}", "--Serilog:WriteTo:0:Args:outputTemplate=[{Level:u3}] {SourceContext} {Message:lj}{NewLine}"]))
            {
                await app.StartAsync();
                var log = app.Services.GetRequiredService<Serilog.ILogger>();
                log.Debug("debug line {Marker}", "m-42");
                var quiet = log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Quiet.Part.Inner");
                quiet.Warning("quiet warning");
                quiet.Error("quiet error");
                await app.StopAsync();
            }

            var written = await File.ReadAllTextAsync(file);
            Assert.Contains("[DBG]  debug line m-42", written);
            Assert.Contains("[ERR] Quiet.Part.Inner quiet error", written);
            Assert.DoesNotContain("quiet warning", written);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Describe(Exception error) =>
        error is Microsoft.Extensions.Options.OptionsValidationException validation
            ? string.Join("\n", validation.Failures)
            : error.ToString();
}
