using System.Text.Json.Nodes;
using StatefulGuard.Core.Rules.Storage;

namespace StatefulGuard.Core.Tests.Rules.Storage;

/// <summary>Rule <c>pvc-retention</c>.</summary>
public sealed class PvcRetentionTests
{
    private static k8s.Models.V1StatefulSet With(string whenDeleted, string whenScaled, bool claims = true) =>
        Objects.StatefulSet(edit: j =>
        {
            j["spec"]!["persistentVolumeClaimRetentionPolicy"] = new JsonObject { ["whenDeleted"] = whenDeleted, ["whenScaled"] = whenScaled };
            if (!claims)
            {
                j["spec"]!.AsObject().Remove("volumeClaimTemplates");
                Mutation.Pod(j)["containers"]![0]!.AsObject().Remove("volumeMounts");
            }
        });

    [Fact]
    public void The_apiservers_default_retain_passes() => Assert.Empty(Rule.Check<PvcRetention>(Objects.StatefulSet()));

    [Fact]
    public void Delete_when_deleted_is_reported_with_the_consequence_the_claims_and_the_fix()
    {
        var finding = Assert.Single(Rule.Check<PvcRetention>(With("Delete", "Retain")));

        Assert.Equal(("delete-on-statefulset-delete", "spec.persistentVolumeClaimRetentionPolicy.whenDeleted"), (finding.Code, finding.Path));
        Assert.Contains("deletes the claims \"www\" and their data", finding.Message, StringComparison.Ordinal);
        Assert.Contains("whenDeleted: Retain", finding.Fix, StringComparison.Ordinal);
        Assert.True(finding.Short.Length <= 120);
    }

    [Fact]
    public void Delete_when_scaled_is_reported_only_when_asked()
    {
        Assert.Empty(Rule.Check<PvcRetention>(With("Retain", "Delete")));

        var finding = Assert.Single(Rule.Check<PvcRetention>(With("Retain", "Delete"), options: new PvcRetentionOptions { ReportWhenScaled = true }));
        Assert.Equal("delete-on-scale-down", finding.Code);
        Assert.Equal(2, Rule.Check<PvcRetention>(With("Delete", "Delete"), options: new PvcRetentionOptions { ReportWhenScaled = true }).Count);
    }

    [Fact]
    public void Without_claim_templates_the_policy_does_nothing_and_nothing_is_reported() =>
        Assert.Empty(Rule.Check<PvcRetention>(With("Delete", "Delete", claims: false), options: new PvcRetentionOptions { ReportWhenScaled = true }));
}
