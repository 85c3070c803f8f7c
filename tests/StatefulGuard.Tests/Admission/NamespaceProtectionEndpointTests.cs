using System.Text.Json.Nodes;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Admission;

/// <summary>namespace-protection through POST /validate: who may set, change or remove statefulguard.io/mode.</summary>
public sealed class NamespaceProtectionEndpointTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private const string Developer = "jane@example.com";

    private static JsonObject Labelled(string name, string? mode)
    {
        var ns = Fixtures.Namespace(name, mode);
        ns["metadata"]!["labels"]!["team"] = "payments";
        return ns;
    }

    private async Task<AdmissionResult> PostAsync(JsonObject review) => (await cluster.Webhook.PostAsync("/validate", review)).AssertWellFormed();

    [Fact]
    public async Task A_user_outside_the_allowed_groups_cannot_create_a_namespace_with_the_mode_label()
    {
        var name = ClusterFixture.NewNamespace("guard");

        var result = await PostAsync(AdmissionReviews.CreateNamespace(Labelled(name, "off"), Developer, "developers"));

        Assert.False(result.Allowed);
        Assert.Equal(403, result.Code);
        Assert.Contains("statefulguard.io/mode=off", result.Message, StringComparison.Ordinal);
        Assert.Contains("group system:masters", result.Message, StringComparison.Ordinal);
        Assert.Contains(Developer, result.Message, StringComparison.Ordinal);
        Assert.Null(result.PatchJson);
    }

    [Theory]
    [InlineData(null, "off", "add statefulguard.io/mode=off")]
    [InlineData("enforce", "off", "change statefulguard.io/mode")]
    [InlineData("audit", null, "remove statefulguard.io/mode=audit")]
    public async Task Adding_changing_or_removing_the_label_is_denied_to_others(string? before, string? after, string said)
    {
        var name = ClusterFixture.NewNamespace("guard");

        var result = await PostAsync(AdmissionReviews.UpdateNamespace(Labelled(name, after), Labelled(name, before), Developer, "developers"));

        Assert.False(result.Allowed);
        Assert.Contains(said, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_admins_may_set_it_and_other_label_changes_pass_for_everyone()
    {
        var name = ClusterFixture.NewNamespace("guard");

        var admin = await PostAsync(AdmissionReviews.UpdateNamespace(Labelled(name, "audit"), Labelled(name, "enforce"), "kubernetes-admin", "system:masters"));
        var other = Labelled(name, "enforce");
        other["metadata"]!["labels"]!["team"] = "billing";
        var unrelated = await PostAsync(AdmissionReviews.UpdateNamespace(other, Labelled(name, "enforce"), Developer, "developers"));
        var plain = await PostAsync(AdmissionReviews.CreateNamespace(Labelled(name, null), Developer, "developers"));

        Assert.True(admin.Allowed);
        Assert.True(unrelated.Allowed);
        Assert.True(plain.Allowed);
        Assert.Empty(admin.Warnings);
    }

    [Fact]
    public async Task The_namespace_own_mode_label_cannot_switch_its_guard_off()
    {
        // The namespace is labelled off in the cluster already: the rule is still judged (in the global mode).
        var name = ClusterFixture.NewNamespace("guard");
        await cluster.ApplyAndWaitAsync("namespaces", Fixtures.Namespace(name, "off"));

        var result = await PostAsync(AdmissionReviews.UpdateNamespace(Labelled(name, "audit"), Labelled(name, "off"), Developer, "developers"));

        Assert.False(result.Allowed);
    }
}

/// <summary>Configured groups and users, and audit mode.</summary>
public sealed class NamespaceProtectionSettingsTests
{
    [Fact]
    public async Task Configured_users_and_groups_may_set_it_and_audit_mode_only_warns()
    {
        await using var webhook = new WebhookFactory(null, new Dictionary<string, string?>
        {
            ["StatefulGuard:Rules:namespace-protection:AllowedGroups:0"] = "platform-team",
            ["StatefulGuard:Rules:namespace-protection:AllowedUsers:0"] = "system:serviceaccount:argocd:argocd-application-controller",
        });
        var ns = Fixtures.Namespace("payments", "audit");

        var team = (await webhook.PostAsync("/validate", AdmissionReviews.CreateNamespace(ns, "bob", "platform-team"))).AssertWellFormed();
        var argo = (await webhook.PostAsync("/validate", AdmissionReviews.CreateNamespace(ns, "system:serviceaccount:argocd:argocd-application-controller"))).AssertWellFormed();
        var master = (await webhook.PostAsync("/validate", AdmissionReviews.CreateNamespace(ns, "root", "system:masters"))).AssertWellFormed();

        Assert.True(team.Allowed);
        Assert.True(argo.Allowed);
        Assert.False(master.Allowed); // the default group is replaced, not added to

        await using var audit = new WebhookFactory(null, new Dictionary<string, string?> { ["StatefulGuard:Mode"] = "Audit" });
        var warned = (await audit.PostAsync("/validate", AdmissionReviews.CreateNamespace(ns, "jane"))).AssertWellFormed();
        Assert.True(warned.Allowed);
        Assert.Contains(warned.Warnings, w => w.Contains("statefulguard.io/mode", StringComparison.Ordinal));
    }
}
