using StatefulGuard.Core.Rules.Workload;

namespace StatefulGuard.Core.Tests.Rules.Workload;

/// <summary>Rule <c>image-tag</c>.</summary>
public sealed class ImageTagTests
{
    [Theory]
    [InlineData("nginx", "untagged")]
    [InlineData("nginx:latest", "latest")]
    [InlineData("registry.local:5000/team/db", "untagged")]
    [InlineData("registry.local:5000/team/db:latest", "latest")]
    [InlineData("nginx:1.27", null)]
    [InlineData("registry.local:5000/team/db:16.4", null)]
    [InlineData("postgres@sha256:4f1c2a9b0d3e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a", null)]
    public void Images_without_a_pinned_version_are_reported(string image, string? code)
    {
        var findings = Rule.Check<ImageTag>(Objects.StatefulSet(edit: j => Mutation.Pod(j)["containers"]![0]!["image"] = image));
        Assert.Equal(code, findings.SingleOrDefault()?.Code);
        Assert.All(findings, f => Assert.Equal("spec.template.spec.containers[0].image", f.Path));
    }
}
