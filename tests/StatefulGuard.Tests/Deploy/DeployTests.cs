using k8s;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Deploy;

/// <summary>deploy/: the base and overlays rendered with kubectl kustomize, checked for what a platform team relies on.</summary>
public sealed class DeployTests
{
    private static readonly string Base = Path.Combine(Repository.Root, "deploy", "kubernetes");
    private static readonly string Audit = Path.Combine(Repository.Root, "deploy", "overlays", "audit");
    private static readonly string CertManager = Path.Combine(Repository.Root, "deploy", "overlays", "cert-manager");

    public static TheoryData<string> Kustomizations => new(Base, Audit, CertManager);

    private static V1Deployment Deployment(Rendered r) => KubernetesJson.Deserialize<V1Deployment>(r.One("Deployment", "statefulguard"));

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Selectors_match_the_pods(string kustomization)
    {
        var r = await Rendered.KustomizeAsync(kustomization);
        var deployment = Deployment(r);
        var labels = deployment.Spec.Template.Metadata.Labels;

        Assert.True(Selectors.Matches(deployment.Spec.Selector, labels));
        var service = KubernetesJson.Deserialize<V1Service>(r.One("Service", "statefulguard"));
        Assert.Empty(Selectors.Mismatches(service.Spec.Selector, labels));
        Assert.True(Selectors.Matches(KubernetesJson.Deserialize<V1PodDisruptionBudget>(r.One("PodDisruptionBudget")).Spec.Selector, labels));
        Assert.All(deployment.Spec.Template.Spec.TopologySpreadConstraints, t => Assert.True(Selectors.Matches(t.LabelSelector, labels)));
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Webhooks_are_configured_as_the_apiserver_and_operators_need(string kustomization)
    {
        var r = await Rendered.KustomizeAsync(kustomization);
        var service = KubernetesJson.Deserialize<V1Service>(r.One("Service", "statefulguard"));
        var deployment = Deployment(r);
        var container = deployment.Spec.Template.Spec.Containers.Single();
        var validating = KubernetesJson.Deserialize<V1ValidatingWebhookConfiguration>(r.One("ValidatingWebhookConfiguration"));
        var mutating = KubernetesJson.Deserialize<V1MutatingWebhookConfiguration>(r.One("MutatingWebhookConfiguration"));

        var all = validating.Webhooks.Select(w => (w.Name, w.AdmissionReviewVersions, w.SideEffects, w.TimeoutSeconds, w.MatchPolicy, w.FailurePolicy, w.ClientConfig, w.NamespaceSelector, w.Rules, Path: "/validate"))
            .Concat(mutating.Webhooks.Select(w => (w.Name, w.AdmissionReviewVersions, w.SideEffects, w.TimeoutSeconds, w.MatchPolicy, w.FailurePolicy, w.ClientConfig, w.NamespaceSelector, w.Rules, Path: "/mutate")));
        foreach (var webhook in all)
        {
            Assert.Equal(["v1"], webhook.AdmissionReviewVersions);
            Assert.Equal("None", webhook.SideEffects);
            Assert.InRange(webhook.TimeoutSeconds!.Value, 1, 5);
            Assert.Equal("Equivalent", webhook.MatchPolicy);
            Assert.Contains(webhook.FailurePolicy, new[] { "Fail", "Ignore" });

            // The webhook reaches this Service, on a port it exposes, whose target is the container's HTTPS port.
            Assert.Equal((service.Metadata.Name, service.Metadata.NamespaceProperty, webhook.Path), (webhook.ClientConfig.Service.Name, webhook.ClientConfig.Service.NamespaceProperty, webhook.ClientConfig.Service.Path));
            var port = Assert.Single(service.Spec.Ports, p => p.Port == webhook.ClientConfig.Service.Port);
            Assert.Contains(container.Ports, p => p.Name == port.TargetPort.Value || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == port.TargetPort.Value);

            // Never kube-system, never itself, by the label the apiserver sets and nobody can change.
            var exclusion = Assert.Single(webhook.NamespaceSelector.MatchExpressions);
            Assert.Equal(("kubernetes.io/metadata.name", "NotIn"), (exclusion.Key, exclusion.OperatorProperty));
            Assert.Contains("kube-system", exclusion.Values);
            Assert.Contains(deployment.Metadata.NamespaceProperty, exclusion.Values);
        }

        Assert.Equal("IfNeeded", mutating.Webhooks.Single().ReinvocationPolicy);
        var stsRule = validating.Webhooks.Single(w => w.Name.StartsWith("statefulsets", StringComparison.Ordinal)).Rules.Single();
        Assert.Equal("apps v1 statefulsets CREATE,UPDATE", $"{string.Join(",", stsRule.ApiGroups)} {string.Join(",", stsRule.ApiVersions)} {string.Join(",", stsRule.Resources)} {string.Join(",", stsRule.Operations)}");
        var svcRule = validating.Webhooks.Single(w => w.Name.StartsWith("services", StringComparison.Ordinal)).Rules.Single();
        Assert.Equal("services UPDATE,DELETE", $"{string.Join(",", svcRule.Resources)} {string.Join(",", svcRule.Operations)}");

        var namespaces = validating.Webhooks.Single(w => w.Name.StartsWith("namespaces", StringComparison.Ordinal));
        var nsRule = namespaces.Rules.Single();
        Assert.Equal(" v1 namespaces CREATE,UPDATE", $"{string.Join(",", nsRule.ApiGroups)} {string.Join(",", nsRule.ApiVersions)} {string.Join(",", nsRule.Resources)} {string.Join(",", nsRule.Operations)}");
        // Only namespaces that carry the mode label (before or after) are sent: other namespace writes never wait on the webhook.
        var labelled = Assert.Single(namespaces.ObjectSelector.MatchExpressions);
        Assert.Equal((Core.Engine.WellKnown.ModeLabel, "Exists"), (labelled.Key, labelled.OperatorProperty));

        var exceptionRule = validating.Webhooks.Single(w => w.Name.StartsWith("exceptions", StringComparison.Ordinal)).Rules.Single();
        Assert.Equal("statefulguard.io v1alpha1 statefulguardexceptions CREATE,UPDATE",
            $"{string.Join(",", exceptionRule.ApiGroups)} {string.Join(",", exceptionRule.ApiVersions)} {string.Join(",", exceptionRule.Resources)} {string.Join(",", exceptionRule.Operations)}");

        // The admission deadline is the apiserver's: every webhook's timeoutSeconds.
        var deadline = int.Parse(container.Env.Single(e => e.Name == "StatefulGuard__AdmissionDeadlineSeconds").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(all, w => Assert.Equal(deadline, w.TimeoutSeconds));

        var expectedUrl = $"https://+:{container.Ports.Single(p => p.Name == "https").ContainerPort}";
        Assert.Equal(expectedUrl, container.Env.Single(e => e.Name == "ASPNETCORE_URLS").Value);
    }

    [Fact]
    public async Task Rbac_reads_exactly_the_declared_kinds_and_writes_only_reports_and_its_one_lease()
    {
        var r = await Rendered.KustomizeAsync(Base);
        var read = KubernetesJson.Deserialize<V1ClusterRole>(r.One("ClusterRole", "statefulguard"));

        Assert.All(read.Rules, rule => Assert.Equal(["get", "list", "watch"], rule.Verbs));
        var granted = read.Rules.SelectMany(rule => rule.ApiGroups.SelectMany(g => rule.Resources.Select(res => $"{g}/{res}"))).Order(StringComparer.Ordinal).ToArray();
        // Exactly the declared kinds: a kind added to ClusterKinds without its grant (or a grant left behind) fails here.
        Assert.Equal(Core.Cluster.ClusterKinds.All.Select(k => $"{k.Group}/{k.Plural}").Order(StringComparer.Ordinal), granted);

        // Writes: the report resources of each format, nothing else cluster-wide.
        var reports = KubernetesJson.Deserialize<V1ClusterRole>(r.One("ClusterRole", "statefulguard-reports"));
        Assert.Equal(
            new[] { Core.Reports.ReportFormat.OpenReports, Core.Reports.ReportFormat.PolicyReport }.Select(f => $"{f.Group}/{f.Plural}").Order(StringComparer.Ordinal),
            reports.Rules.SelectMany(rule => rule.ApiGroups.SelectMany(g => rule.Resources.Select(res => $"{g}/{res}"))).Order(StringComparer.Ordinal));
        Assert.All(reports.Rules, rule => Assert.Equal(["get", "list", "create", "update", "patch", "delete"], rule.Verbs));
        Assert.Equal(2, r.All("ClusterRole").Count());

        // And get/update on the one Lease, in the webhook's namespace (it ships, so no create).
        var lease = KubernetesJson.Deserialize<V1Role>(Assert.Single(r.All("Role")));
        var leaseRule = Assert.Single(lease.Rules);
        Assert.Equal(["coordination.k8s.io"], leaseRule.ApiGroups);
        Assert.Equal(["leases"], leaseRule.Resources);
        Assert.Equal(["statefulguard-reports"], leaseRule.ResourceNames);
        Assert.Equal(["get", "update"], leaseRule.Verbs);
        Assert.Equal(("statefulguard-reports", "statefulguard"), ((string?)r.One("Lease")["metadata"]!["name"], (string?)r.One("Lease")["metadata"]!["namespace"]));

        var account = Deployment(r).Spec.Template.Spec.ServiceAccountName;
        foreach (var binding in r.All("ClusterRoleBinding").Concat(r.All("RoleBinding")).Select(o => KubernetesJson.Deserialize<V1RoleBinding>(o)))
        {
            var subject = Assert.Single(binding.Subjects);
            Assert.Equal((account, "statefulguard"), (subject.Name, subject.NamespaceProperty));
        }

        Assert.Equal("metadata.namespace", Deployment(r).Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "POD_NAMESPACE").ValueFrom.FieldRef.FieldPath);
    }

    [Fact]
    public async Task The_openreports_overlay_installs_a_report_crd_that_holds_what_statefulguard_writes()
    {
        var r = await Rendered.KustomizeAsync(Path.Combine("deploy", "overlays", "openreports-crd"));
        var crd = KubernetesJson.Deserialize<V1CustomResourceDefinition>(r.One("CustomResourceDefinition", "reports.openreports.io"));
        var format = Core.Reports.ReportFormat.OpenReports;
        Assert.Equal((format.Group, format.Plural, format.Kind, "Namespaced"), (crd.Spec.Group, crd.Spec.Names.Plural, crd.Spec.Names.Kind, crd.Spec.Scope));
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal(format.Version, version.Name);

        // Every field StatefulGuard writes has a place in the schema (the apiserver would prune the others).
        var schema = version.Schema.OpenAPIV3Schema;
        var sts = KubernetesJson.Deserialize<V1StatefulSet>(Fixtures.StatefulSet("shop"));
        var results = new[]
        {
            new Core.Reports.ReportResult("headless-service", "service-missing", "fail", Core.Rules.RuleSeverity.High, "Reachability", "m",
                new Dictionary<string, string> { ["fix"] = "f" }),
        };
        var report = Core.Reports.PolicyReports.Build(format, sts, results, _ => DateTimeOffset.UnixEpoch);
        Assert.All(report.Select(p => p.Key), key => Assert.Contains(key, schema.Properties.Keys));
        var item = schema.Properties["results"].Items as V1JSONSchemaProps ?? KubernetesJson.Deserialize<V1JSONSchemaProps>(((System.Text.Json.JsonElement)schema.Properties["results"].Items).GetRawText());
        Assert.All(report["results"]![0]!.AsObject().Select(p => p.Key), key => Assert.Contains(key, item.Properties.Keys));
        Assert.Equal(Enum.GetNames<Core.Rules.RuleSeverity>().Select(n => n.ToLowerInvariant()).Order(), ((IEnumerable<object>)item.Properties["severity"].EnumProperty).Select(e => e.ToString()!).Order());
    }

    [Fact]
    public async Task The_exception_crd_is_shipped_with_its_schema_columns_and_short_name()
    {
        var r = await Rendered.KustomizeAsync(Base);
        var crd = KubernetesJson.Deserialize<V1CustomResourceDefinition>(r.One("CustomResourceDefinition"));

        Assert.Equal(("statefulguardexceptions.statefulguard.io", "statefulguard.io", "Namespaced", "StatefulGuardException"),
            (crd.Metadata.Name, crd.Spec.Group, crd.Spec.Scope, crd.Spec.Names.Kind));
        Assert.Contains("sgex", crd.Spec.Names.ShortNames);
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal(("v1alpha1", true, true), (version.Name, version.Served, version.Storage));
        Assert.Equal(["Rules", "StatefulSets", "Services", "Expires", "Ticket", "Age"], version.AdditionalPrinterColumns.Select(c => c.Name));
        var spec = version.Schema.OpenAPIV3Schema.Properties["spec"];
        Assert.Equal(["rules", "reason"], spec.Required);
        Assert.Equal(["expires", "reason", "rules", "services", "statefulSets", "ticket"], spec.Properties.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("date-time", spec.Properties["expires"].Format);

        // Every example exception is one the webhook admits.
        var example = Core.Manifests.ManifestReader.ReadPaths([Path.Combine(Repository.Root, "deploy", "examples", "exception-approvers.yaml")]);
        Assert.Empty(example.Errors);
        Assert.Single(example.Documents, d => d.Kind == "StatefulGuardException");
    }

    [Fact]
    public async Task Probes_point_at_real_endpoints()
    {
        var container = Deployment(await Rendered.KustomizeAsync(Base)).Spec.Template.Spec.Containers.Single();
        await using var webhook = new WebhookFactory(null);
        using var client = webhook.CreateClient();
        foreach (var probe in new[] { container.StartupProbe, container.ReadinessProbe, container.LivenessProbe })
        {
            Assert.Equal("HTTPS", probe.HttpGet.Scheme);
            Assert.Contains(container.Ports, p => p.Name == probe.HttpGet.Port.Value);
            using var response = await client.GetAsync(new Uri(probe.HttpGet.Path, UriKind.Relative));
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
    }

    [Fact]
    public async Task Deployment_is_highly_available_and_drains_cleanly()
    {
        var r = await Rendered.KustomizeAsync(Base);
        var deployment = Deployment(r);
        var pod = deployment.Spec.Template.Spec;
        var container = pod.Containers.Single();

        Assert.Equal(3, deployment.Spec.Replicas);
        Assert.Equal(["topology.kubernetes.io/zone", "kubernetes.io/hostname"], pod.TopologySpreadConstraints.Select(t => t.TopologyKey));
        Assert.Equal("1", KubernetesJson.Deserialize<V1PodDisruptionBudget>(r.One("PodDisruptionBudget")).Spec.MaxUnavailable?.Value);
        Assert.True(container.Lifecycle.PreStop.Sleep.Seconds + 10 <= pod.TerminationGracePeriodSeconds);
        Assert.True(container.Resources.Requests.ContainsKey("cpu") && container.Resources.Requests.ContainsKey("memory") && container.Resources.Limits.ContainsKey("memory"));
        var certs = pod.Volumes.Single(v => v.Secret is not null);
        Assert.Equal("statefulguard-tls", certs.Secret.SecretName);
        Assert.Null(container.VolumeMounts.Single(m => m.Name == certs.Name).SubPath); // a subPath mount would never see a rotated file
    }

    [Fact]
    public async Task Deployment_meets_the_restricted_pod_security_standard()
    {
        var pod = Deployment(await Rendered.KustomizeAsync(Base)).Spec.Template.Spec;

        Assert.NotEqual(true, pod.HostNetwork);
        Assert.NotEqual(true, pod.HostPID);
        Assert.NotEqual(true, pod.HostIPC);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
        Assert.Contains(pod.SecurityContext.SeccompProfile.Type, new[] { "RuntimeDefault", "Localhost" });
        Assert.All(pod.Volumes, v => Assert.True(v.Secret is not null || v.EmptyDir is not null || v.ConfigMap is not null || v.Projected is not null, $"volume {v.Name} type not allowed"));
        foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
        {
            var sc = container.SecurityContext;
            Assert.NotEqual(true, sc.Privileged);
            Assert.False(sc.AllowPrivilegeEscalation);
            Assert.Contains("ALL", sc.Capabilities.Drop);
            Assert.True(sc.Capabilities.Add is null || sc.Capabilities.Add.All(c => c == "NET_BIND_SERVICE"));
            Assert.True(sc.ReadOnlyRootFilesystem);
            Assert.NotEqual(0, sc.RunAsUser ?? pod.SecurityContext.RunAsUser);
            Assert.All(container.Ports ?? [], p => Assert.Null(p.HostPort));
        }
    }

    [Fact]
    public async Task Deployment_passes_statefulguards_own_workload_rules()
    {
        var r = await Rendered.KustomizeAsync(Base);
        var deployment = Deployment(r);
        var asStatefulSet = new V1StatefulSet
        {
            Metadata = deployment.Metadata,
            Spec = new V1StatefulSetSpec { Replicas = deployment.Spec.Replicas, Selector = deployment.Spec.Selector, Template = deployment.Spec.Template, ServiceName = "statefulguard" },
        };
        var cluster = new StaticClusterView().Add(KubernetesJson.Deserialize<V1PodDisruptionBudget>(r.One("PodDisruptionBudget")), "statefulguard");
        var applicable = new[] { "volume-mounts", "disruption-budget", "resources", "grace-period", "image-tag", "label-coherence" };

        var findings = RuleCatalog.Default.Rules.OfType<IValidatingRule>().Where(rule => applicable.Contains(rule.Descriptor.Id))
            .SelectMany(rule => rule.Validate(new RuleContext(Operation.Create, "statefulguard", asStatefulSet, null, cluster),
                (RuleOptions)Activator.CreateInstance(rule.OptionsType)!))
            .ToList();

        Assert.Empty(findings);
    }

    [Fact]
    public async Task Audit_overlay_sets_audit_mode_and_never_blocks()
    {
        var r = await Rendered.KustomizeAsync(Audit);
        Assert.Equal("Audit", Deployment(r).Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "StatefulGuard__Mode").Value);
        Assert.All(KubernetesJson.Deserialize<V1ValidatingWebhookConfiguration>(r.One("ValidatingWebhookConfiguration")).Webhooks, w => Assert.Equal("Ignore", w.FailurePolicy));
    }

    [Fact]
    public async Task Cert_manager_overlay_issues_the_secret_the_deployment_mounts_and_injects_its_ca()
    {
        var r = await Rendered.KustomizeAsync(CertManager);
        var serving = r.All("Certificate").Single(c => c["spec"]!["isCA"] is null);
        var deployment = Deployment(r);
        var service = KubernetesJson.Deserialize<V1Service>(r.One("Service", "statefulguard"));

        Assert.Equal(deployment.Spec.Template.Spec.Volumes.Single(v => v.Secret is not null).Secret.SecretName, serving["spec"]!["secretName"]!.GetValue<string>());
        var names = serving["spec"]!["dnsNames"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        Assert.Contains($"{service.Metadata.Name}.{service.Metadata.NamespaceProperty}.svc", names);
        Assert.Contains($"{service.Metadata.Name}.{service.Metadata.NamespaceProperty}.svc.cluster.local", names);
        var injectFrom = $"{serving["metadata"]!["namespace"]}/{serving["metadata"]!["name"]}";
        foreach (var kind in new[] { "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration" })
        {
            Assert.Equal(injectFrom, r.One(kind)["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]!.GetValue<string>());
        }

        var issuer = serving["spec"]!["issuerRef"]!["name"]!.GetValue<string>();
        Assert.Contains(r.All("Issuer"), i => (string?)i["metadata"]!["name"] == issuer);
    }

    [Fact]
    public async Task The_network_policy_overlay_admits_the_webhook_port_only_from_the_apiservers_cidrs()
    {
        var r = await Rendered.KustomizeAsync(Path.Combine(Repository.Root, "deploy", "overlays", "network-policy"));
        var policy = KubernetesJson.Deserialize<V1NetworkPolicy>(r.One("NetworkPolicy", "statefulguard-apiserver-only"));
        var deployment = Deployment(r);
        var https = deployment.Spec.Template.Spec.Containers.Single().Ports.Single(p => p.Name == "https").ContainerPort;

        Assert.Equal(deployment.Metadata.NamespaceProperty, policy.Metadata.NamespaceProperty);
        Assert.True(Selectors.Matches(policy.Spec.PodSelector, deployment.Spec.Template.Metadata.Labels));
        Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
        var rule = Assert.Single(policy.Spec.Ingress);
        Assert.Equal(https.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(rule.Ports).Port.Value);
        // Only address blocks: no namespace or pod selector that any workload could match.
        Assert.All(rule.FromProperty, peer => Assert.True(peer.IpBlock is not null && peer.NamespaceSelector is null && peer.PodSelector is null));
        // Shipped as a placeholder the apiserver refuses, so an unedited apply cannot lock the apiserver out.
        Assert.All(rule.FromProperty, peer => Assert.False(System.Net.IPNetwork.TryParse(peer.IpBlock.Cidr, out _)));
    }
}
