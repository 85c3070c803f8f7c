using k8s.Models;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Tests.Cluster;

public sealed class SelectorsTests
{
    private static readonly Dictionary<string, string> Pod = new() { ["app"] = "db", ["tier"] = "data" };

    [Theory]
    [InlineData("In", new[] { "db", "cache" }, true)]
    [InlineData("In", new[] { "cache" }, false)]
    [InlineData("NotIn", new[] { "cache" }, true)]
    [InlineData("NotIn", new[] { "db" }, false)]
    [InlineData("Exists", new string[0], true)]
    [InlineData("DoesNotExist", new string[0], false)]
    public void Match_expressions(string op, string[] values, bool matches) =>
        Assert.Equal(matches, Selectors.Matches(new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = op, Values = values }] }, Pod));

    [Fact]
    public void Empty_selector_selects_everything_and_null_nothing()
    {
        Assert.True(Selectors.Matches(new V1LabelSelector(), Pod));
        Assert.False(Selectors.Matches(null, Pod));
    }
}
