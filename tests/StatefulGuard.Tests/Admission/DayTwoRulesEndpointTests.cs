using System.Text.Json.Nodes;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Admission;

/// <summary>Each day-two rule once through POST /validate, against the watched (fake) cluster.</summary>
public sealed class DayTwoRulesEndpointTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    /// <summary>A namespace where the "web" StatefulSet is clean: headless Service and PDB in place.</summary>
    private async Task<string> CleanNamespaceAsync()
    {
        var ns = ClusterFixture.NewNamespace();
        await cluster.ApplyAndWaitAsync("services", Fixtures.HeadlessService(ns));
        await cluster.ApplyAndWaitAsync("poddisruptionbudgets", Fixtures.Budget(ns));
        return ns;
    }

    private async Task<AdmissionResult> ValidateAsync(JsonObject sts) =>
        (await cluster.Webhook.PostAsync("/validate", AdmissionReviews.Create(sts))).AssertWellFormed();

    private static JsonNode Pod(JsonObject sts) => sts["spec"]!["template"]!["spec"]!;

    [Fact]
    public async Task The_clean_statefulset_passes_every_rule()
    {
        var result = await ValidateAsync(Fixtures.StatefulSet(await CleanNamespaceAsync()));
        Assert.True(result.Allowed);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task Volume_mount_typo_is_denied_with_a_suggestion()
    {
        var sts = Fixtures.StatefulSet(await CleanNamespaceAsync());
        Pod(sts)["containers"]![0]!["volumeMounts"]![0]!["name"] = "wwww";

        var result = await ValidateAsync(sts);

        Assert.False(result.Allowed);
        Assert.Contains("[volume-mounts] volumeMount \"wwww\" of container \"nginx\" names no volume or volumeClaimTemplate. Fix: did you mean \"www\"?", result.Message);
    }

    [Fact]
    public async Task Immediate_binding_storage_class_warns()
    {
        var ns = await CleanNamespaceAsync();
        await cluster.ApplyAndWaitAsync("storageclasses", Fixtures.StorageClass("slow-hdd", "Immediate", isDefault: false));
        var sts = Fixtures.StatefulSet(ns);
        sts["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["storageClassName"] = "slow-hdd";

        var result = await ValidateAsync(sts);

        Assert.True(result.Allowed);
        Assert.Equal("storage-binding: StorageClass \"slow-hdd\" binds Immediate; use WaitForFirstConsumer", Assert.Single(result.Warnings));
    }

    [Fact]
    public async Task Missing_disruption_budget_warns()
    {
        var ns = ClusterFixture.NewNamespace();
        await cluster.ApplyAndWaitAsync("services", Fixtures.HeadlessService(ns));

        var result = await ValidateAsync(Fixtures.StatefulSet(ns));

        Assert.Equal("disruption-budget: no PodDisruptionBudget selects the pods; create one, maxUnavailable: 1", Assert.Single(result.Warnings));
    }

    [Fact]
    public async Task Missing_requests_warn()
    {
        var sts = Fixtures.StatefulSet(await CleanNamespaceAsync());
        Pod(sts)["containers"]![0]!["resources"] = new JsonObject();

        Assert.StartsWith("resources: container \"nginx\" has no cpu and memory request", Assert.Single((await ValidateAsync(sts)).Warnings));
    }

    [Fact]
    public async Task Partition_above_replicas_warns()
    {
        var sts = Fixtures.StatefulSet(await CleanNamespaceAsync());
        sts["spec"]!["updateStrategy"]!["rollingUpdate"]!["partition"] = 4;

        Assert.Equal("update-strategy: partition 4 is above replicas 3: no pod updates; lower it", Assert.Single((await ValidateAsync(sts)).Warnings));
    }

    [Fact]
    public async Task PreStop_longer_than_the_grace_period_warns()
    {
        var sts = Fixtures.StatefulSet(await CleanNamespaceAsync());
        Pod(sts)["containers"]![0]!["lifecycle"] = new JsonObject { ["preStop"] = new JsonObject { ["sleep"] = new JsonObject { ["seconds"] = 40 } } };

        Assert.Equal("grace-period: preStop of \"nginx\" sleeps 40s, grace is 30s; raise the grace period", Assert.Single((await ValidateAsync(sts)).Warnings));
    }

    [Fact]
    public async Task Latest_image_warns()
    {
        var sts = Fixtures.StatefulSet(await CleanNamespaceAsync());
        Pod(sts)["containers"]![0]!["image"] = "nginx:latest";

        Assert.Equal("image-tag: container \"nginx\" image uses :latest; pin a version or digest", Assert.Single((await ValidateAsync(sts)).Warnings));
    }

    [Fact]
    public async Task Budget_that_drifted_from_the_pods_warns()
    {
        var ns = await CleanNamespaceAsync();
        var budget = Fixtures.Budget(ns, name: "web-typo");
        budget["spec"]!["selector"]!["matchLabels"]!["tier"] = "web";
        await cluster.ApplyAndWaitAsync("poddisruptionbudgets", budget);

        var warning = Assert.Single((await ValidateAsync(Fixtures.StatefulSet(ns))).Warnings);

        Assert.Equal("label-coherence: PodDisruptionBudget \"web-typo\" misses the pods; fix its selector", warning);
    }

    [Fact]
    public async Task Claims_deleted_with_the_statefulset_warn_and_a_retain_policy_passes()
    {
        var ns = await CleanNamespaceAsync();
        var sts = Fixtures.StatefulSet(ns);
        sts["spec"]!["persistentVolumeClaimRetentionPolicy"] = new JsonObject { ["whenDeleted"] = "Delete", ["whenScaled"] = "Delete" };

        var result = await ValidateAsync(sts);
        var retained = await ValidateAsync(Fixtures.StatefulSet(ns));

        Assert.True(result.Allowed);
        Assert.Equal("pvc-retention: whenDeleted: Delete loses the data with the StatefulSet; use Retain", Assert.Single(result.Warnings));
        Assert.Empty(retained.Warnings);
    }
}

/// <summary>Service UPDATE and DELETE through POST /validate: the Service side of headless-service.</summary>
public sealed class ServiceProtectionEndpointTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private async Task<string> NamespaceWithStatefulSetAsync()
    {
        var ns = ClusterFixture.NewNamespace();
        await cluster.ApplyAndWaitAsync("services", Fixtures.HeadlessService(ns));
        await cluster.ApplyAndWaitAsync("statefulsets", Fixtures.Stored(Fixtures.StatefulSet(ns)));
        return ns;
    }

    [Fact]
    public async Task Deleting_a_depended_on_service_is_denied_naming_the_statefulset()
    {
        var ns = await NamespaceWithStatefulSetAsync();

        var result = (await cluster.Webhook.PostAsync("/validate", AdmissionReviews.DeleteService(Fixtures.HeadlessService(ns)))).AssertWellFormed();

        Assert.False(result.Allowed);
        Assert.Equal(403, result.Code);
        Assert.Contains($"StatefulGuard denied Service {ns}/nginx: [service-protection] Service \"nginx\" is the serviceName of StatefulSet \"web\"", result.Message);
    }

    [Fact]
    public async Task Deleting_an_unrelated_service_is_allowed_untouched()
    {
        var ns = await NamespaceWithStatefulSetAsync();

        var result = (await cluster.Webhook.PostAsync("/validate", AdmissionReviews.DeleteService(Fixtures.ClusterIpService(ns, "web-public")))).AssertWellFormed();

        Assert.True(result.Allowed);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task Making_it_non_headless_is_denied_and_dry_run_gets_the_same_answer()
    {
        var ns = await NamespaceWithStatefulSetAsync();
        var stored = Fixtures.HeadlessService(ns);
        var external = stored.DeepClone().AsObject();
        external["spec"] = new JsonObject { ["type"] = "ExternalName", ["externalName"] = "web.example.com", ["sessionAffinity"] = "None" };

        var real = (await cluster.Webhook.PostAsync("/validate", AdmissionReviews.UpdateService(external, stored, uid: "svc-1"))).AssertWellFormed();
        var dry = (await cluster.Webhook.PostAsync("/validate", AdmissionReviews.UpdateService(external, stored, dryRun: true, uid: "svc-1"))).AssertWellFormed();

        Assert.False(real.Allowed);
        Assert.Contains("would stop being headless", real.Message);
        Assert.Equal(real.Body, dry.Body);
    }

    [Fact]
    public async Task Selector_change_that_drops_the_pods_is_denied()
    {
        var ns = await NamespaceWithStatefulSetAsync();
        var stored = Fixtures.HeadlessService(ns);
        var changed = stored.DeepClone().AsObject();
        changed["spec"]!["selector"] = new JsonObject { ["app.kubernetes.io/name"] = "web-v2" };

        var result = (await cluster.Webhook.PostAsync("/validate", AdmissionReviews.UpdateService(changed, stored))).AssertWellFormed();

        Assert.False(result.Allowed);
        Assert.Contains("no longer selects the pods of StatefulSet \"web\": app.kubernetes.io/name=web, selector wants web-v2", result.Message);
    }

    [Theory]
    [InlineData("deletionTimestamp")]
    [InlineData("phase")]
    public async Task Deleting_it_in_a_namespace_being_deleted_is_allowed(string mark)
    {
        var ns = await NamespaceWithStatefulSetAsync();
        var terminating = Fixtures.Namespace(ns);
        if (mark == "phase")
        {
            terminating["status"] = new JsonObject { ["phase"] = "Terminating" };
        }
        else
        {
            terminating["metadata"]!["deletionTimestamp"] = "2026-01-01T00:00:00Z";
        }

        await cluster.ApplyAndWaitAsync("namespaces", terminating);

        // Whoever deletes it (here not the namespace controller): the namespace and everything in it are going away.
        var result = (await cluster.Webhook.PostAsync("/validate", AdmissionReviews.DeleteService(Fixtures.HeadlessService(ns)))).AssertWellFormed();

        Assert.True(result.Allowed, result.Message);
    }

    [Fact]
    public async Task Namespace_teardown_by_the_namespace_controller_is_allowed()
    {
        var ns = await NamespaceWithStatefulSetAsync();

        var result = (await cluster.Webhook.PostAsync("/validate",
            AdmissionReviews.DeleteService(Fixtures.HeadlessService(ns), "system:serviceaccount:kube-system:namespace-controller"))).AssertWellFormed();

        Assert.True(result.Allowed);
    }
}
