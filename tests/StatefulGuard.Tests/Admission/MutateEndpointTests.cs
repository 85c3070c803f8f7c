using System.Text.Json.Nodes;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Admission;

/// <summary>POST /mutate with defaulted StatefulSets as the apiserver sends them; every patch is applied and checked.</summary>
public sealed class MutateEndpointTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    public static TheoryData<string> Fixtures => new(MutationFixtures.Names);

    private WebhookFactory Webhook => cluster.Webhook;

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Create_gets_safe_defaults_keeps_every_user_value_and_is_idempotent(string fixture)
    {
        var original = MutationFixtures.Created(fixture);

        var result = (await Webhook.PostAsync("/mutate", AdmissionReviews.Create(original))).AssertWellFormed(validating: false);

        Assert.True(result.Allowed);
        var patch = JsonNode.Parse(result.PatchJson!)!.AsArray();
        Assert.NotEmpty(patch);
        Assert.All(patch, op =>
        {
            Assert.Equal("add", op!["op"]!.GetValue<string>());
            var path = op["path"]!.GetValue<string>();
            Assert.True(path.StartsWith("/spec/template/", StringComparison.Ordinal) || path.StartsWith("/metadata/annotations", StringComparison.Ordinal), path);
        });

        var patched = MutationFixtures.ApplyPatch(original, result.PatchJson!);
        MutationFixtures.AssertKeepsUserValues(original, patched);
        MutationFixtures.AssertSafeDefaults(MutationFixtures.Typed(patched));

        // Reinvocation (reinvocationPolicy: IfNeeded) sees our own output after the apiserver re-defaulted it.
        var again = (await Webhook.PostAsync("/mutate", AdmissionReviews.Create(ApiServerDefaults.Apply(patched)))).AssertWellFormed(validating: false);
        Assert.Null(again.PatchJson);
    }

    [Fact]
    public async Task Mutation_reads_only_the_metadata_selector_and_pod_template_and_rejects_a_broken_template()
    {
        var original = MutationFixtures.Created("postgres");
        var review = AdmissionReviews.Create(original);
        review["request"]!["object"]!["spec"]!["replicas"] = "three";
        review["request"]!["object"]!["status"] = new JsonObject { ["replicas"] = new JsonArray() };

        // Outside what the mutating rules read: the patch is the one the well-formed object gets (validation rejects it).
        var expected = (await Webhook.PostAsync("/mutate", AdmissionReviews.Create(original))).AssertWellFormed(validating: false);
        var result = (await Webhook.PostAsync("/mutate", review)).AssertWellFormed(validating: false);
        Assert.Equal(expected.PatchJson, result.PatchJson);
        MutationFixtures.AssertSafeDefaults(MutationFixtures.Typed(MutationFixtures.ApplyPatch(original, result.PatchJson!)));
        Assert.Equal(400, (await Webhook.PostAsync("/validate", review)).Status);

        // Inside it: a 400 naming the bad value.
        var broken = AdmissionReviews.Create(original);
        broken["request"]!["object"]!["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"] = new JsonArray(new JsonObject { ["containerPort"] = "eighty" });
        var rejected = await Webhook.PostAsync("/mutate", broken);
        Assert.Equal(400, rejected.Status);
        Assert.Contains("$.spec.template.spec.containers[0].ports[0].containerPort", rejected.Body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task DryRun_gets_the_same_patch(string fixture)
    {
        var original = MutationFixtures.Created(fixture);
        var real = await Webhook.PostAsync("/mutate", AdmissionReviews.Create(original, uid: "same"));
        var dry = await Webhook.PostAsync("/mutate", AdmissionReviews.Create(original, dryRun: true, uid: "same"));
        Assert.Equal(real.Body, dry.Body);
    }

    [Fact]
    public async Task ZooKeeper_keeps_its_own_probes_and_anti_affinity_and_gets_a_startup_probe_and_non_root_settings()
    {
        var result = await Webhook.PostAsync("/mutate", AdmissionReviews.Create(MutationFixtures.Created("zookeeper")));
        var sts = MutationFixtures.Typed(MutationFixtures.ApplyPatch(result.Request["request"]!["object"]!.AsObject(), result.PatchJson!));
        var zk = sts.Spec.Template.Spec.Containers[0];

        Assert.Equal(["sh", "-c", "zookeeper-ready 2181"], zk.ReadinessProbe.Exec.Command);
        Assert.Equal(10, zk.LivenessProbe.InitialDelaySeconds);
        Assert.Equal("client", zk.StartupProbe.TcpSocket.Port.Value);
        Assert.Equal("kubernetes.io/hostname", sts.Spec.Template.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0].TopologyKey);
        Assert.True(zk.SecurityContext.RunAsNonRoot);
        Assert.Equal(["ALL"], zk.SecurityContext.Capabilities.Drop);
    }

    [Fact]
    public async Task Kafka_keeps_its_long_grace_period_and_gets_a_native_sleep()
    {
        var result = await Webhook.PostAsync("/mutate", AdmissionReviews.Create(MutationFixtures.Created("kafka")));
        var sts = MutationFixtures.Typed(MutationFixtures.ApplyPatch(result.Request["request"]!["object"]!.AsObject(), result.PatchJson!));

        Assert.Equal(120, sts.Spec.Template.Spec.TerminationGracePeriodSeconds);
        Assert.Equal(10, sts.Spec.Template.Spec.Containers[0].Lifecycle.PreStop.Sleep.Seconds);
    }

    [Fact]
    public async Task Postgres_root_init_container_gets_no_non_root_settings_and_annotations_with_slashes_survive()
    {
        var original = MutationFixtures.Created("postgres");
        var result = await Webhook.PostAsync("/mutate", AdmissionReviews.Create(original));
        var patched = MutationFixtures.ApplyPatch(original, result.PatchJson!);
        var sts = MutationFixtures.Typed(patched);

        var init = sts.Spec.Template.Spec.InitContainers[0].SecurityContext;
        Assert.Equal((0L, false), (init.RunAsUser!.Value, init.AllowPrivilegeEscalation!.Value));
        Assert.Null(init.RunAsNonRoot);
        Assert.Null(init.Capabilities);
        var postgres = sts.Spec.Template.Spec.Containers[0].SecurityContext;
        Assert.Equal((999L, true), (postgres.RunAsUser!.Value, postgres.RunAsNonRoot!.Value));
        Assert.Equal(999, sts.Spec.Template.Spec.SecurityContext.FsGroup);
        Assert.Equal("postgres", sts.Spec.Template.Metadata.Annotations["kubectl.kubernetes.io/default-container"]);
        Assert.Equal("3f2a9c", sts.Spec.Template.Metadata.Annotations["checksum/config"]);
    }

    [Fact]
    public async Task Redis_is_probed_on_its_client_port()
    {
        var result = await Webhook.PostAsync("/mutate", AdmissionReviews.Create(MutationFixtures.Created("redis")));
        var sts = MutationFixtures.Typed(MutationFixtures.ApplyPatch(result.Request["request"]!["object"]!.AsObject(), result.PatchJson!));
        Assert.Equal("redis", sts.Spec.Template.Spec.Containers[0].ReadinessProbe.TcpSocket.Port.Value);
    }

    [Fact]
    public async Task Privileged_sysctl_init_container_is_left_alone()
    {
        var original = MutationFixtures.Created("elasticsearch");
        var result = await Webhook.PostAsync("/mutate", AdmissionReviews.Create(original));
        var sts = MutationFixtures.Typed(MutationFixtures.ApplyPatch(original, result.PatchJson!));

        var sysctl = sts.Spec.Template.Spec.InitContainers[0].SecurityContext;
        Assert.True(sysctl.Privileged);
        Assert.Null(sysctl.AllowPrivilegeEscalation);
        Assert.False(sts.Spec.Template.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal("logging", sts.Metadata.Annotations["meta.helm.sh/release-name"]);
        Assert.Equal("true", sts.Spec.Template.Metadata.Annotations["co.elastic.logs/enabled"]);
        Assert.Contains("/metadata/annotations/statefulguard.io~1injected", result.PatchJson);
    }

    [Fact]
    public async Task Container_without_ports_gets_no_probes_and_a_warning_naming_it()
    {
        var sts = MutationFixtures.Created("mysql");
        sts["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Add(new JsonObject
        {
            ["name"] = "backup-agent",
            ["image"] = "example/backup:2.1",
            ["terminationMessagePath"] = "/dev/termination-log",
            ["terminationMessagePolicy"] = "File",
            ["imagePullPolicy"] = "IfNotPresent",
            ["resources"] = new JsonObject(),
        });

        var result = (await Webhook.PostAsync("/mutate", AdmissionReviews.Create(sts))).AssertWellFormed(validating: false);
        var agent = MutationFixtures.Typed(MutationFixtures.ApplyPatch(sts, result.PatchJson!)).Spec.Template.Spec.Containers[1];

        Assert.Null(agent.StartupProbe);
        Assert.Contains("probes: container \"backup-agent\" declares no TCP port, so no probe was injected", result.Warnings);
    }

    [Fact]
    public async Task Skip_annotation_opts_out_of_named_defaults()
    {
        var sts = MutationFixtures.Created("web");
        sts["metadata"]!["annotations"] = new JsonObject { ["statefulguard.io/skip"] = "probes,prestop,security-context,topology-spread" };

        var result = (await Webhook.PostAsync("/mutate", AdmissionReviews.Create(sts))).AssertWellFormed(validating: false);

        Assert.Null(result.PatchJson);
    }

    [Fact]
    public async Task Audit_namespace_gets_no_patch_and_a_warning_saying_what_would_be_injected()
    {
        var ns = ClusterFixture.NewNamespace();
        await cluster.ApplyAndWaitAsync("namespaces", Support.Fixtures.Namespace(ns, mode: "audit"));

        var result = (await Webhook.PostAsync("/mutate", AdmissionReviews.Create(MutationFixtures.Created("web", ns)))).AssertWellFormed(validating: false);

        Assert.True(result.Allowed);
        Assert.Null(result.PatchJson);
        Assert.StartsWith("would inject: prestop (nginx), probes (nginx), security-context (nginx, pod), topology-spread", result.Warnings[0]);
    }

    [Fact]
    public async Task Fields_of_a_newer_api_and_explicit_nulls_in_the_template_survive_the_patch()
    {
        // A newer apiserver sends pod fields this model does not know; the patch is worked out against the JSON as
        // sent, so it must neither drop them nor trip over members sent as null.
        var original = MutationFixtures.Created("web");
        var pod = original["spec"]!["template"]!["spec"]!.AsObject();
        pod["hostnameOverride"] = "web-pod";
        pod["topologySpreadConstraints"] = null;
        var container = pod["containers"]![0]!.AsObject();
        container["futureResizePolicy"] = new JsonArray(new JsonObject { ["resourceName"] = "cpu" });
        container["startupProbe"] = null;

        var result = (await Webhook.PostAsync("/mutate", AdmissionReviews.Create(original))).AssertWellFormed(validating: false);
        var patched = MutationFixtures.ApplyPatch(original, result.PatchJson!);

        var patchedPod = patched["spec"]!["template"]!["spec"]!;
        Assert.Equal("web-pod", patchedPod["hostnameOverride"]!.GetValue<string>());
        Assert.Equal("cpu", patchedPod["containers"]![0]!["futureResizePolicy"]![0]!["resourceName"]!.GetValue<string>());
        var typed = MutationFixtures.Typed(patched);
        Assert.Equal(2, typed.Spec.Template.Spec.TopologySpreadConstraints.Count);
        Assert.Equal(90, typed.Spec.Template.Spec.Containers[0].StartupProbe.FailureThreshold);
        MutationFixtures.AssertSafeDefaults(typed);
    }

    [Fact]
    public async Task Scale_by_updating_the_stored_object_gives_no_patch()
    {
        var stored = await StoredAsync("kafka");
        var scaled = stored.DeepClone().AsObject();
        scaled["spec"]!["replicas"] = 5;

        var result = (await Webhook.PostAsync("/mutate", AdmissionReviews.Update(scaled, stored))).AssertWellFormed(validating: false);

        Assert.Null(result.PatchJson);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Replacing_with_the_original_manifest_reproduces_the_stored_template_byte_for_byte(string fixture)
    {
        var stored = await StoredAsync(fixture);
        var replaced = ApiServerDefaults.Apply(MutationFixtures.Manifest(fixture));
        replaced["metadata"]!["resourceVersion"] = stored["metadata"]!["resourceVersion"]!.DeepClone();

        var result = (await Webhook.PostAsync("/mutate", AdmissionReviews.Update(replaced, stored))).AssertWellFormed(validating: false);
        var after = ApiServerDefaults.Apply(MutationFixtures.ApplyPatch(replaced, result.PatchJson!));

        Assert.Equal(stored["spec"]!["template"]!.ToJsonString(), after["spec"]!["template"]!.ToJsonString());
    }

    [Fact]
    public async Task Replacing_after_the_configured_defaults_changed_still_rolls_no_pod()
    {
        var stored = await StoredAsync("postgres");
        await using var reconfigured = new WebhookFactory(cluster.ApiServer, new Dictionary<string, string?>
        {
            ["StatefulGuard:Rules:probes:StartupFailureThreshold"] = "300",
            ["StatefulGuard:Rules:prestop:SleepSeconds"] = "4",
            ["StatefulGuard:Rules:topology-spread:WhenUnsatisfiable"] = "DoNotSchedule",
        });
        await reconfigured.WaitUntilReadyAsync();
        var replaced = ApiServerDefaults.Apply(MutationFixtures.Manifest("postgres"));

        var result = (await reconfigured.PostAsync("/mutate", AdmissionReviews.Update(replaced, stored))).AssertWellFormed(validating: false);
        var after = ApiServerDefaults.Apply(MutationFixtures.ApplyPatch(replaced, result.PatchJson!));

        Assert.Equal(stored["spec"]!["template"]!.ToJsonString(), after["spec"]!["template"]!.ToJsonString());
    }

    /// <summary>What etcd holds after a CREATE went through /mutate: patched, re-defaulted, with status.</summary>
    private async Task<JsonObject> StoredAsync(string fixture)
    {
        var created = MutationFixtures.Created(fixture);
        var result = await Webhook.PostAsync("/mutate", AdmissionReviews.Create(created));
        return Support.Fixtures.Stored(ApiServerDefaults.Apply(MutationFixtures.ApplyPatch(created, result.PatchJson!)));
    }
}

/// <summary>Clusters older than 1.30 have no native sleep action: the preStop hook must use exec.</summary>
public sealed class MutateOnOldClusterTests
{
    [Fact]
    public async Task Kubernetes_1_29_gets_an_exec_sleep()
    {
        await using var apiServer = await FakeApiServer.StartAsync();
        apiServer.GitVersion = "v1.29.8";
        await using var webhook = new WebhookFactory(apiServer);
        await webhook.WaitUntilReadyAsync();
        var original = MutationFixtures.Created("web");

        var result = (await webhook.PostAsync("/mutate", AdmissionReviews.Create(original))).AssertWellFormed(validating: false);
        var preStop = MutationFixtures.Typed(MutationFixtures.ApplyPatch(original, result.PatchJson!)).Spec.Template.Spec.Containers[0].Lifecycle.PreStop;

        Assert.Null(preStop.Sleep);
        Assert.Equal(["sleep", "10"], preStop.Exec.Command);
    }
}
