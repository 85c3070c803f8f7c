using k8s.Models;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Tests.Engine;

public sealed class InjectionAnnotationsTests
{
    [Theory]
    [InlineData(new string[0], "")]
    [InlineData(new[] { "topology-spread" }, "topology-spread")]
    [InlineData(new[] { "probes:nginx/startup", "probes:nginx/readiness", "probes:nginx/liveness" }, "probes (nginx)")]
    [InlineData(new[] { "security-context:pod", "probes:sidecar/startup", "security-context:nginx/runAsNonRoot", "probes:nginx/startup", "prestop:nginx" },
        "prestop (nginx), probes (nginx, sidecar), security-context (nginx, pod)")]
    [InlineData(new[] { "security:x", "security-context:y" }, "security (x), security-context (y)")]
    [InlineData(new[] { "topology-spread", "topology-spread" }, "topology-spread")]
    public void Summary_lists_each_rule_once_with_its_targets_in_order(string[] entries, string expected) =>
        Assert.Equal(expected, InjectionAnnotations.Summary(entries));

    [Fact]
    public void Record_merges_with_what_the_annotation_lists_sorted_and_without_duplicates()
    {
        var sts = new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string> { [WellKnown.InjectedAnnotation] = "probes:web/startup, topology-spread" } },
        };

        InjectionAnnotations.Record(sts, ["prestop:web", "topology-spread", "probes:web/liveness"]);

        Assert.Equal("prestop:web,probes:web/liveness,probes:web/startup,topology-spread", sts.Metadata.Annotations[WellKnown.InjectedAnnotation]);
    }

    [Fact]
    public void Record_creates_the_annotation_on_an_object_without_metadata()
    {
        var sts = new V1StatefulSet();

        InjectionAnnotations.Record(sts, ["topology-spread", "prestop:web"]);

        Assert.Equal("prestop:web,topology-spread", sts.Metadata.Annotations[WellKnown.InjectedAnnotation]);
    }

    [Fact]
    public void Skips_without_the_annotation_are_empty_and_unknown_names_are_noted()
    {
        var notes = new List<string>();
        Assert.Empty(InjectionAnnotations.Skips(new V1StatefulSet(), ["probes"], notes));

        var sts = new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string> { [WellKnown.SkipAnnotation] = "probes, bogus" } },
        };
        var skips = InjectionAnnotations.Skips(sts, ["probes", "prestop"], notes);

        Assert.Equal(["probes"], skips);
        Assert.Equal(["statefulguard.io/skip: unknown name \"bogus\" (known: prestop, probes)"], notes);
    }
}
