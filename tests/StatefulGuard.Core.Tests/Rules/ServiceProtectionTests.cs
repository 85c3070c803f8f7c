using k8s;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Rules;
using StatefulGuard.Core.Rules.Reachability;

namespace StatefulGuard.Core.Tests.Rules;

/// <summary>Rule <c>service-protection</c>.</summary>
public sealed class ServiceProtectionTests
{
    private static List<Finding> Check(Operation operation, V1Service? service, V1Service? old, IClusterView cluster, string? user = "alice") =>
        new ServiceProtection().Validate(new ServiceRuleContext(operation, "shop", "nginx", service, old, user, cluster), new ServiceProtectionOptions()).ToList();

    private static StaticClusterView Dependent() => new StaticClusterView().Add(Objects.StatefulSet(), "shop");

    private static V1Service Copy(V1Service s) => KubernetesJson.Deserialize<V1Service>(StatefulGuard.Core.Engine.KubeJson.Serialize(s));

    [Fact]
    public void Deleting_the_governing_service_is_reported_naming_the_statefulset()
    {
        var finding = Assert.Single(Check(Operation.Delete, null, Objects.Service(), Dependent()));
        Assert.Equal("delete-governing-service", finding.Code);
        Assert.Contains("serviceName of StatefulSet \"web\"", finding.Message);
    }

    [Fact]
    public void Services_nobody_depends_on_pass() =>
        Assert.Empty(Check(Operation.Delete, null, Objects.Service(), new StaticClusterView().Add(Objects.StatefulSet(edit: j => j["spec"]!["serviceName"] = "other"), "shop")));

    [Fact]
    public void Namespace_teardown_and_the_garbage_collector_pass()
    {
        var terminating = Dependent().Add(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" }, Status = new V1NamespaceStatus { Phase = "Terminating" } });
        Assert.Empty(Check(Operation.Delete, null, Objects.Service(), terminating));
        Assert.Empty(Check(Operation.Delete, null, Objects.Service(), Dependent(), "system:serviceaccount:kube-system:generic-garbage-collector"));
    }

    [Fact]
    public void Turning_it_into_ExternalName_is_reported()
    {
        var updated = Copy(Objects.Service());
        updated.Spec.Type = "ExternalName";
        updated.Spec.ClusterIP = null;
        updated.Spec.ExternalName = "db.example.com";

        Assert.Contains(Check(Operation.Update, updated, Objects.Service(), Dependent()), f => f.Code == "service-made-not-headless");
    }

    [Fact]
    public void Selector_that_stops_selecting_the_pods_is_reported_with_the_keys()
    {
        var updated = Copy(Objects.Service());
        updated.Spec.Selector = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "web", ["version"] = "v2" };

        var finding = Assert.Single(Check(Operation.Update, updated, Objects.Service(), Dependent()));

        Assert.Equal(("selector-drops-pods", "spec.selector"), (finding.Code, finding.Path));
        Assert.Contains("label version missing (selector wants v2)", finding.Message);
    }

    [Fact]
    public void Harmless_updates_pass()
    {
        var updated = Copy(Objects.Service());
        updated.Metadata.Labels["team"] = "storefront";
        Assert.Empty(Check(Operation.Update, updated, Objects.Service(), Dependent()));
    }
}
