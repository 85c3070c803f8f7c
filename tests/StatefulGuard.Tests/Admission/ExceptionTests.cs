using Microsoft.Extensions.Time.Testing;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Admission;

/// <summary>A webhook on a fake clock, watching a fake apiserver that serves the StatefulGuardException CRD.</summary>
public sealed class ExceptionCluster : ClusterFixture
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

    protected override TimeProvider? WebhookClock => Clock;
}

/// <summary>
/// StatefulGuardExceptions at the HTTP level: real AdmissionReviews, the exceptions served by the fake apiserver over
/// list and watch, expiry driven by a fake clock.
/// </summary>
public sealed class ExceptionTests(ExceptionCluster cluster) : IClassFixture<ExceptionCluster>
{
    private DateTimeOffset Now => cluster.Clock.GetUtcNow();

    /// <summary>A namespace whose "web" StatefulSet names a Service that does not exist: headless-service denies it.</summary>
    private static string Namespace() => ClusterFixture.NewNamespace("exc");

    private async Task<AdmissionResult> ValidateAsync(string ns) =>
        (await cluster.Webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(ns, serviceName: "web-sharded")))).AssertWellFormed();

    /// <summary>Applies an exception and waits (on the webhook's answers, not on time) until it is in effect.</summary>
    private async Task<AdmissionResult> ApplyUntilAllowedAsync(string ns, System.Text.Json.Nodes.JsonObject exception)
    {
        cluster.ApiServer.Apply("statefulguardexceptions", exception);
        return await cluster.Webhook.ClusterChanges.UntilAsync(() => ValidateAsync(ns), r => r.Allowed, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_waived_denial_becomes_an_allow_with_the_exceptions_warning_and_an_exception_created_at_runtime_applies_within_a_second()
    {
        var ns = Namespace();
        Assert.False((await ValidateAsync(ns)).Allowed);

        var expires = Now.AddDays(60);
        var result = await ApplyUntilAllowedAsync(ns, Fixtures.Exception(ns, "sharding", ["headless-service"], ["web*"], expires));

        Assert.True(result.Allowed);
        Assert.Contains($"headless-service waived by exception {ns}/sharding until {expires:yyyy-MM-dd}", result.Warnings);
    }

    [Fact]
    public async Task An_exception_close_to_its_expiry_says_so_and_an_expired_one_no_longer_applies()
    {
        var ns = Namespace();
        var expires = Now.AddDays(20);
        await ApplyUntilAllowedAsync(ns, Fixtures.Exception(ns, "temporary", ["headless-service"], ["web"], expires));

        cluster.Clock.Advance(TimeSpan.FromDays(10));
        var soon = await ValidateAsync(ns);
        Assert.True(soon.Allowed);
        Assert.Contains($"headless-service waived by exception {ns}/temporary until {expires:yyyy-MM-dd}, expiring soon", soon.Warnings);

        cluster.Clock.Advance(TimeSpan.FromDays(11));
        var expired = await ValidateAsync(ns);
        Assert.False(expired.Allowed);
        Assert.DoesNotContain(expired.Warnings, w => w.Contains("waived", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_exception_of_another_namespace_or_another_rule_or_object_does_not_apply()
    {
        var ns = Namespace();
        var other = Namespace();
        cluster.ApiServer.Apply("statefulguardexceptions", Fixtures.Exception(other, "elsewhere", ["headless-service"], ["web"], Now.AddDays(30)));
        cluster.ApiServer.Apply("statefulguardexceptions", Fixtures.Exception(ns, "other-rule", ["image-tag"], ["web"], Now.AddDays(30)));
        cluster.ApiServer.Apply("statefulguardexceptions", Fixtures.Exception(ns, "other-object", ["headless-service"], ["db-*"], Now.AddDays(30)));
        // Once this one is in effect, the three above have been delivered too (one watch stream, in order).
        await ApplyUntilAllowedAsync(other, Fixtures.Exception(other, "marker", ["headless-service"], ["web"], Now.AddDays(30)));

        var result = await ValidateAsync(ns);

        Assert.False(result.Allowed);
        Assert.Contains("[headless-service]", result.Message);
    }

    [Fact]
    public async Task A_mutating_rule_waived_by_an_exception_injects_nothing()
    {
        var ns = Namespace();
        await ApplyUntilAllowedAsync(ns, Fixtures.Exception(ns, "own-probes", ["headless-service", "probes"], ["web"], Now.AddDays(30)));

        var original = Fixtures.StatefulSet(ns, serviceName: "web-sharded");
        var result = (await cluster.Webhook.PostAsync("/mutate", AdmissionReviews.Create(original))).AssertWellFormed(validating: false);

        Assert.Contains($"probes waived by exception {ns}/own-probes until {Now.AddDays(30):yyyy-MM-dd}", result.Warnings);
        var patched = MutationFixtures.ApplyPatch(original, result.PatchJson!);
        var container = patched["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Null(container["startupProbe"]);
        Assert.Null(container["livenessProbe"]);
        Assert.NotNull(container["lifecycle"]); // the defaults not waived are still injected
        Assert.DoesNotContain("probes:", (string?)patched["metadata"]!["annotations"]!["statefulguard.io/injected"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rules", "spec.rules[0]: unknown rule id \"headless-servce\"")]
    [InlineData("star", "spec.rules[0]: \"*\" is not allowed")]
    [InlineData("reason", "spec.reason is required")]
    [InlineData("target", "spec.statefulSets or spec.services must name at least one object")]
    [InlineData("past", "is in the past")]
    [InlineData("lifetime", "more than 180 days after the exception's creation")]
    [InlineData("expiry", "spec.expires is required")]
    public async Task A_malformed_exception_is_denied_with_a_message_naming_the_field(string problem, string message)
    {
        var ns = Namespace();
        var exception = problem switch
        {
            "rules" => Fixtures.Exception(ns, "x", ["headless-servce"], ["web"], Now.AddDays(30)),
            "star" => Fixtures.Exception(ns, "x", ["*"], ["web"], Now.AddDays(30)),
            "reason" => Fixtures.Exception(ns, "x", ["headless-service"], ["web"], Now.AddDays(30), reason: " "),
            "target" => Fixtures.Exception(ns, "x", ["headless-service"], [], Now.AddDays(30)),
            "past" => Fixtures.Exception(ns, "x", ["headless-service"], ["web"], Now.AddDays(-1)),
            "lifetime" => Fixtures.Exception(ns, "x", ["headless-service"], ["web"], Now.AddDays(400)),
            _ => Fixtures.Exception(ns, "x", ["headless-service"], ["web"], null),
        };

        var result = (await cluster.Webhook.PostAsync("/validate", AdmissionReviews.CreateException(exception))).AssertWellFormed();

        Assert.False(result.Allowed);
        Assert.Equal(422, result.Code);
        Assert.Contains($"StatefulGuard denied StatefulGuardException {ns}/x: ", result.Message);
        Assert.True(result.Message!.Contains(message, StringComparison.Ordinal), result.Message);
    }

    [Fact]
    public async Task A_well_formed_exception_is_admitted()
    {
        var ns = Namespace();
        var result = (await cluster.Webhook.PostAsync("/validate",
            AdmissionReviews.CreateException(Fixtures.Exception(ns, "ok", ["headless-service", "probes"], ["web", "db-?"], Now.AddDays(90))))).AssertWellFormed();
        Assert.True(result.Allowed);
    }
}

/// <summary>
/// An exception stored without passing admission (the webhook was down, or the exceptions webhook is Ignore, as in the
/// audit overlay): held to the same rules when used, so a ten-year exception waives nothing, and the log, the metric and
/// <c>statefulguard exceptions</c> name it invalid with the reason.
/// </summary>
public sealed class StoredExceptionTests
{
    [Fact]
    public async Task A_ten_year_exception_stored_directly_in_the_cluster_waives_nothing_and_is_named_invalid()
    {
        var ns = ClusterFixture.NewNamespace("decade");
        var stored = Fixtures.Exception(ns, "forever", ["headless-service"], ["web"], DateTimeOffset.UtcNow.AddYears(10));
        stored["metadata"]!["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await using var scenario = await StatefulGuard.Tests.Faults.FaultScenario.StartAsync(api => api.Apply("statefulguardexceptions", stored));
        await scenario.Host.WaitUntilReadyAsync();

        var review = AdmissionReviews.Create(Fixtures.StatefulSet(ns, serviceName: "missing"));
        using var client = scenario.Host.CreateClient();
        using var result = await client.PostAsync(new Uri("/validate", UriKind.Relative),
            new StringContent(review.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var answer = new AdmissionResult((int)result.StatusCode, await result.Content.ReadAsStringAsync(), review).AssertWellFormed();

        Assert.False(answer.Allowed);
        Assert.DoesNotContain(answer.Warnings, w => w.Contains("waived", StringComparison.Ordinal));
        Assert.Contains(scenario.Logs.Events, e => e.Message.Contains($"{ns}/forever", StringComparison.Ordinal) && e.Message.Contains("more than 180 days", StringComparison.Ordinal));
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("statefulguard_exceptions_invalid 1", metrics, StringComparison.Ordinal);
    }
}

/// <summary>The CRD not installed: the webhook is ready, says so, and judges as it would without exceptions.</summary>
public sealed class ExceptionCrdMissingTests : IAsyncLifetime
{
    private FakeApiServer apiServer = null!;
    private WebhookFactory webhook = null!;

    public async Task InitializeAsync()
    {
        apiServer = await FakeApiServer.StartAsync(withExceptionsCrd: false);
        webhook = new WebhookFactory(apiServer);
        await webhook.WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await webhook.DisposeAsync();
        await apiServer.DisposeAsync();
    }

    [Fact]
    public async Task The_webhook_is_ready_says_the_crd_is_missing_and_answers_correctly()
    {
        using var client = webhook.CreateClient();
        var ready = await client.GetStringAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Contains("StatefulGuardException", ready, StringComparison.Ordinal);
        Assert.Contains("not installed", ready, StringComparison.Ordinal);

        var ns = ClusterFixture.NewNamespace("nocrd");
        var result = (await webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(ns, serviceName: "missing")))).AssertWellFormed();
        Assert.False(result.Allowed);
        Assert.Contains("[headless-service]", result.Message);
    }
}
