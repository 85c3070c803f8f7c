using System.Text.Json.Nodes;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Rules;
using StatefulGuard.Core.Rules.Reachability;

namespace StatefulGuard.Core.Tests.Rules;

/// <summary>Rule <c>headless-service</c> on apiserver-defaulted objects.</summary>
public sealed class HeadlessServiceTests
{
    private static readonly HeadlessService Rule = new();

    private static List<Finding> Check(V1StatefulSet sts, IClusterView cluster, HeadlessServiceOptions? options = null) =>
        Rule.Validate(new RuleContext(Operation.Create, sts.Metadata.NamespaceProperty, sts, null, cluster), options ?? new HeadlessServiceOptions()).ToList();

    private static StaticClusterView With(params V1Service[] services)
    {
        var view = new StaticClusterView();
        foreach (var service in services)
        {
            view.Add(service, "default");
        }

        return view;
    }

    [Fact]
    public void Descriptor_is_stable()
    {
        Assert.Equal("headless-service", Rule.Descriptor.Id);
        Assert.Equal(RuleAction.Deny, Rule.Descriptor.DefaultAction);
        Assert.Equal(RuleKind.Validating, Rule.Descriptor.Kind);
    }

    [Fact]
    public void Matching_headless_service_passes() =>
        Assert.Empty(Check(Objects.StatefulSet(), With(Objects.Service())));

    [Fact]
    public void Selector_that_is_a_subset_of_the_pod_labels_passes()
    {
        var sts = Objects.StatefulSet(edit: j => j["spec"]!["template"]!["metadata"]!["labels"]!["tier"] = "frontend");
        Assert.Empty(Check(sts, With(Objects.Service())));
    }

    [Fact]
    public void Empty_service_name_is_reported_with_a_suggested_selector()
    {
        var finding = Assert.Single(Check(Objects.StatefulSet(edit: j => j["spec"]!["serviceName"] = ""), With()));
        Assert.Equal("service-name-empty", finding.Code);
        Assert.Equal("spec.serviceName", finding.Path);
        Assert.Contains("app.kubernetes.io/name=web", finding.Fix);
    }

    [Fact]
    public void Empty_service_name_can_be_allowed_by_configuration() =>
        Assert.Empty(Check(Objects.StatefulSet(edit: j => j["spec"]!.AsObject().Remove("serviceName")), With(),
            new HeadlessServiceOptions { RequireServiceName = false }));

    [Fact]
    public void Missing_service_names_service_namespace_and_fix()
    {
        var finding = Assert.Single(Check(Objects.StatefulSet(), With()));
        Assert.Equal("service-missing", finding.Code);
        Assert.Contains("Service \"nginx\"", finding.Message);
        Assert.Contains("namespace \"shop\"", finding.Message);
        Assert.Contains("clusterIP: None", finding.Fix);
    }

    [Theory]
    [InlineData("nginx", true)]
    [InlineData("db-0-hs", true)]
    [InlineData("Nginx", false)] // upper case
    [InlineData("0nginx", false)] // a Service name starts with a letter
    [InlineData("nginx.svc", false)] // a label, not a subdomain
    [InlineData("nginx-", false)]
    [InlineData("nginx\n", false)]
    [InlineData("<img src=x onerror=alert(1)>", false)]
    public void A_missing_service_is_suggested_only_under_a_name_the_apiserver_accepts(string serviceName, bool suggested)
    {
        var finding = Assert.Single(Check(Objects.StatefulSet(edit: j => j["spec"]!["serviceName"] = serviceName), With()));

        Assert.Equal("service-missing", finding.Code);
        Assert.Equal(suggested, finding.Suggested is not null);
    }

    [Fact]
    public void Service_in_another_namespace_does_not_count() =>
        Assert.Equal("service-missing", Assert.Single(Check(Objects.StatefulSet(), With(Objects.Service("other")))).Code);

    [Fact]
    public void Service_with_a_cluster_ip_is_not_headless()
    {
        var finding = Assert.Single(Check(Objects.StatefulSet(), With(Objects.Service(edit: j => j["spec"]!["clusterIP"] = "10.96.0.12"))));
        Assert.Equal("service-not-headless", finding.Code);
        Assert.Contains("10.96.0.12", finding.Message);
        Assert.Contains("cannot be changed in place", finding.Fix);
    }

    [Fact]
    public void ExternalName_service_is_not_headless()
    {
        var service = Objects.Service(edit: j =>
        {
            j["spec"] = new JsonObject { ["type"] = "ExternalName", ["externalName"] = "db.example.com" };
        });
        var finding = Assert.Single(Check(Objects.StatefulSet(), With(service)));
        Assert.Equal("service-not-headless", finding.Code);
        Assert.Contains("ExternalName", finding.Message);
    }

    [Fact]
    public void Service_without_selector_is_reported()
    {
        var finding = Assert.Single(Check(Objects.StatefulSet(), With(Objects.Service(edit: j => j["spec"]!.AsObject().Remove("selector")))));
        Assert.Equal("service-selector-empty", finding.Code);
        Assert.Contains("app.kubernetes.io/name=web", finding.Fix);
    }

    [Fact]
    public void Selector_mismatch_names_every_differing_key()
    {
        var service = Objects.Service(edit: j => j["spec"]!["selector"] = new JsonObject { ["app.kubernetes.io/name"] = "nginx", ["role"] = "db" });
        var finding = Assert.Single(Check(Objects.StatefulSet(), With(service)));
        Assert.Equal("service-selector-mismatch", finding.Code);
        Assert.Contains("app.kubernetes.io/name=web, selector wants nginx", finding.Message);
        Assert.Contains("label role missing (selector wants db)", finding.Message);
    }

    [Fact]
    public void Not_headless_and_mismatched_are_both_reported()
    {
        var service = Objects.Service(edit: j =>
        {
            j["spec"]!["clusterIP"] = "10.96.0.12";
            j["spec"]!["selector"] = new JsonObject { ["app"] = "other" };
        });
        Assert.Equal(["service-not-headless", "service-selector-mismatch"], Check(Objects.StatefulSet(), With(service)).Select(f => f.Code));
    }

    [Fact]
    public void Unknown_cluster_state_is_unverifiable_not_a_violation()
    {
        var finding = Assert.Single(Check(Objects.StatefulSet(), new UnknownCluster()));
        Assert.True(finding.Unverifiable);
        Assert.Equal("service-unverifiable", finding.Code);
    }
}
