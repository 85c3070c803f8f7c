using System.Text.Json.Nodes;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Admission;

/// <summary>POST /validate with AdmissionReviews as kube-apiserver sends them, against a watched (fake) cluster.</summary>
public sealed class ValidateEndpointTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private WebhookFactory Webhook => cluster.Webhook;

    [Fact]
    public async Task Create_with_matching_headless_service_is_allowed_without_warnings()
    {
        var ns = ClusterFixture.NewNamespace();
        await cluster.ApplyAndWaitAsync("services", Fixtures.HeadlessService(ns));
        await cluster.ApplyAndWaitAsync("poddisruptionbudgets", Fixtures.Budget(ns));

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(ns)))).AssertWellFormed();

        Assert.True(result.Allowed);
        Assert.Empty(result.Warnings);
        Assert.Null(result.Response["patch"]);
    }

    [Fact]
    public async Task Create_without_the_service_is_denied_with_a_message_naming_service_and_fix()
    {
        var ns = ClusterFixture.NewNamespace();

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(ns)))).AssertWellFormed();

        Assert.False(result.Allowed);
        Assert.Equal(403, result.Code);
        Assert.Contains("[headless-service]", result.Message);
        Assert.Contains("Service \"nginx\"", result.Message);
        Assert.Contains($"namespace \"{ns}\"", result.Message);
        Assert.Contains("clusterIP: None", result.Message);
        Assert.Contains("app.kubernetes.io/name=web", result.Message);
    }

    [Fact]
    public async Task Service_with_cluster_ip_is_denied_as_not_headless()
    {
        var ns = ClusterFixture.NewNamespace();
        await cluster.ApplyAndWaitAsync("services", Fixtures.ClusterIpService(ns));

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(ns)))).AssertWellFormed();

        Assert.False(result.Allowed);
        Assert.Contains("not headless (clusterIP 10.96.112.7)", result.Message);
        Assert.Contains("recreate Service \"nginx\" with clusterIP: None", result.Message);
    }

    [Fact]
    public async Task Service_selecting_other_labels_is_denied_with_the_differing_keys()
    {
        var ns = ClusterFixture.NewNamespace();
        var svc = Fixtures.HeadlessService(ns);
        svc["spec"]!["selector"] = new JsonObject { ["app.kubernetes.io/name"] = "nginx", ["tier"] = "frontend" };
        await cluster.ApplyAndWaitAsync("services", svc);

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(ns)))).AssertWellFormed();

        Assert.False(result.Allowed);
        Assert.Contains("app.kubernetes.io/name=web, selector wants nginx", result.Message);
        Assert.Contains("label tier missing", result.Message);
    }

    [Fact]
    public async Task Service_without_selector_is_denied()
    {
        var ns = ClusterFixture.NewNamespace();
        var svc = Fixtures.HeadlessService(ns);
        svc["spec"]!.AsObject().Remove("selector");
        await cluster.ApplyAndWaitAsync("services", svc);

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(ns)))).AssertWellFormed();

        Assert.False(result.Allowed);
        Assert.Contains("has no selector", result.Message);
    }

    [Fact]
    public async Task Empty_service_name_is_denied()
    {
        var ns = ClusterFixture.NewNamespace();
        var sts = Fixtures.StatefulSet(ns);
        sts["spec"]!.AsObject().Remove("serviceName");

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Create(sts))).AssertWellFormed();

        Assert.False(result.Allowed);
        Assert.Contains("spec.serviceName is empty", result.Message);
    }

    [Fact]
    public async Task DryRun_gets_exactly_the_same_decision()
    {
        var ns = ClusterFixture.NewNamespace();
        var sts = Fixtures.StatefulSet(ns);

        var real = (await Webhook.PostAsync("/validate", AdmissionReviews.Create(sts, uid: "u-1"))).AssertWellFormed();
        var dry = (await Webhook.PostAsync("/validate", AdmissionReviews.Create(sts, dryRun: true, uid: "u-1"))).AssertWellFormed();

        Assert.Equal(real.Body, dry.Body);
    }

    [Fact]
    public async Task Update_with_a_violation_the_update_did_not_introduce_is_allowed_with_a_warning()
    {
        // The Service was deleted after the StatefulSet was created; someone scales down during an incident.
        var ns = ClusterFixture.NewNamespace();
        var stored = Fixtures.Stored(Fixtures.StatefulSet(ns));
        var scaled = stored.DeepClone().AsObject();
        scaled["spec"]!["replicas"] = 1;
        scaled["metadata"]!["generation"] = 2;

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Update(scaled, stored))).AssertWellFormed();

        Assert.True(result.Allowed);
        var warning = Assert.Single(result.Warnings, w => w.StartsWith("headless-service:", StringComparison.Ordinal));
        Assert.StartsWith("headless-service: pre-existing, allowed: Service \"nginx\"", warning);
    }

    [Fact]
    public async Task Update_that_breaks_the_selector_match_is_denied()
    {
        var ns = ClusterFixture.NewNamespace();
        await cluster.ApplyAndWaitAsync("services", Fixtures.HeadlessService(ns));
        var stored = Fixtures.Stored(Fixtures.StatefulSet(ns));
        var relabelled = stored.DeepClone().AsObject();
        relabelled["spec"]!["template"]!["metadata"]!["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "web-v2" };

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Update(relabelled, stored))).AssertWellFormed();

        Assert.False(result.Allowed);
        Assert.Contains("does not select the pods", result.Message);
    }

    [Fact]
    public async Task Delete_without_object_is_allowed_untouched()
    {
        var ns = ClusterFixture.NewNamespace();

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Delete(Fixtures.Stored(Fixtures.StatefulSet(ns))))).AssertWellFormed();

        Assert.True(result.Allowed);
        Assert.Empty(result.Warnings);
        Assert.Null(result.Response["status"]);
    }

    [Fact]
    public async Task Scale_subresource_is_allowed_untouched_even_when_the_service_is_missing()
    {
        var ns = ClusterFixture.NewNamespace();

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Scale(ns, "web", from: 3, to: 1))).AssertWellFormed();

        Assert.True(result.Allowed);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task Other_kinds_are_allowed_untouched_on_both_endpoints()
    {
        var ns = ClusterFixture.NewNamespace();
        foreach (var path in new[] { "/validate", "/mutate" })
        {
            var result = (await Webhook.PostAsync(path, AdmissionReviews.CreatePod(ns))).AssertWellFormed(validating: path == "/validate");
            Assert.True(result.Allowed);
            Assert.Null(result.Response["patch"]);
            Assert.Empty(result.Warnings);
        }
    }

    [Fact]
    public async Task Namespace_label_audit_turns_the_denial_into_a_warning()
    {
        var ns = ClusterFixture.NewNamespace();
        await cluster.ApplyAndWaitAsync("namespaces", Fixtures.Namespace(ns, mode: "audit"));

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(ns)))).AssertWellFormed();

        Assert.True(result.Allowed);
        var warning = Assert.Single(result.Warnings, w => w.StartsWith("headless-service:", StringComparison.Ordinal));
        Assert.StartsWith("headless-service: would deny: Service \"nginx\"", warning);
    }

    [Fact]
    public async Task Namespace_label_off_allows_without_a_word()
    {
        var ns = ClusterFixture.NewNamespace();
        await cluster.ApplyAndWaitAsync("namespaces", Fixtures.Namespace(ns, mode: "off"));

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(ns)))).AssertWellFormed();

        Assert.True(result.Allowed);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task Invalid_namespace_label_keeps_the_global_mode_and_says_so()
    {
        var ns = ClusterFixture.NewNamespace();
        await cluster.ApplyAndWaitAsync("namespaces", Fixtures.Namespace(ns, mode: "enforcing"));

        var result = (await Webhook.PostAsync("/validate", AdmissionReviews.Create(Fixtures.StatefulSet(ns)))).AssertWellFormed();

        Assert.False(result.Allowed);
        Assert.Contains(result.Warnings, w => w.Contains("statefulguard.io/mode=\"enforcing\"", StringComparison.Ordinal));
    }
}
