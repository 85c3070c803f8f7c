using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Rules.Storage;

namespace StatefulGuard.Core.Tests.Rules.Storage;

/// <summary>Rule <c>storage-binding</c>.</summary>
public sealed class StorageBindingTests
{
    /// <summary>A cluster's StorageClasses (complete: what is not there does not exist).</summary>
    private static StaticClusterView Classes(params k8s.Models.V1StorageClass[] classes) => Classes(ViewScope.Cluster, classes);

    private static StaticClusterView Classes(ViewScope scope, params k8s.Models.V1StorageClass[] classes)
    {
        var view = new StaticClusterView { Scope = scope };
        foreach (var c in classes)
        {
            view.Add(c);
        }

        return view;
    }

    [Fact]
    public void Default_class_with_wait_for_first_consumer_passes() =>
        Assert.Empty(Rule.Check<StorageBinding>(Objects.StatefulSet(), Classes(Rule.StorageClass("gp3", "WaitForFirstConsumer", isDefault: true))));

    [Fact]
    public void Default_class_binding_immediately_is_reported()
    {
        var finding = Assert.Single(Rule.Check<StorageBinding>(Objects.StatefulSet(), Classes(Rule.StorageClass("standard", "Immediate", isDefault: true))));
        Assert.Equal(("immediate-binding", "spec.volumeClaimTemplates[0].spec.storageClassName"), (finding.Code, finding.Path));
        Assert.Contains("StorageClass \"standard\"", finding.Message);
    }

    [Fact]
    public void Named_class_that_does_not_exist_is_reported()
    {
        var sts = Objects.StatefulSet(edit: j => j["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["storageClassName"] = "fast-ssd");
        var finding = Assert.Single(Rule.Check<StorageBinding>(sts, Classes(Rule.StorageClass("gp3", "WaitForFirstConsumer", isDefault: true))));
        Assert.Equal("class-missing", finding.Code);
        Assert.Contains("\"fast-ssd\"", finding.Message);
    }

    [Fact]
    public void No_default_class_is_reported() =>
        Assert.Equal("no-default-class", Assert.Single(Rule.Check<StorageBinding>(Objects.StatefulSet(), Classes(Rule.StorageClass("gp3", "WaitForFirstConsumer")))).Code);

    [Fact]
    public void Offline_a_class_the_input_does_not_hold_is_unknown_not_missing()
    {
        // The input folder holds some other StorageClass: that proves nothing about the cluster's classes.
        var named = Objects.StatefulSet(edit: j => j["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["storageClassName"] = "fast-ssd");
        var finding = Assert.Single(Rule.Check<StorageBinding>(named, Classes(ViewScope.Input, Rule.StorageClass("gp3", "WaitForFirstConsumer", isDefault: true))));
        Assert.True(finding.Unverifiable);

        var defaulted = Assert.Single(Rule.Check<StorageBinding>(Objects.StatefulSet(), Classes(ViewScope.Input, Rule.StorageClass("gp3", "WaitForFirstConsumer"))));
        Assert.True(defaulted.Unverifiable);
    }

    [Fact]
    public void Offline_an_immediate_class_in_the_input_is_reported()
    {
        var named = Objects.StatefulSet(edit: j => j["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["storageClassName"] = "fast-ssd");
        var finding = Assert.Single(Rule.Check<StorageBinding>(named, Classes(ViewScope.Input, Rule.StorageClass("fast-ssd", "Immediate"))));
        Assert.Equal("immediate-binding", finding.Code);
    }

    [Fact]
    public void Empty_class_name_means_pre_provisioned_volumes_and_passes()
    {
        var sts = Objects.StatefulSet(edit: j => j["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["storageClassName"] = "");
        Assert.Empty(Rule.Check<StorageBinding>(sts, Classes(Rule.StorageClass("standard", "Immediate", isDefault: true))));
    }

    [Fact]
    public void Unknown_cluster_state_is_unverifiable() =>
        Assert.True(Assert.Single(Rule.Check<StorageBinding>(Objects.StatefulSet(), new UnknownCluster())).Unverifiable);
}
