using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Tests.Engine;

/// <summary>The engine's mutation pass: opt-outs, modes, idempotence and UPDATE that never rolls pods by itself.</summary>
public sealed class MutationTests
{
    private static readonly string[] AllRules = ["prestop", "probes", "security-context", "topology-spread"];

    private static string Template(V1StatefulSet sts) => StatefulGuard.Core.Engine.KubeJson.Serialize(sts.Spec.Template);

    private static V1StatefulSet Stored(V1StatefulSet mutated) =>
        KubernetesJson.Deserialize<V1StatefulSet>(StatefulGuard.Core.Engine.KubeJson.Serialize(mutated));

    [Fact]
    public void Every_rule_injects_and_the_annotation_lists_it_on_the_statefulset_not_the_template()
    {
        var result = Mutation.Run(Objects.StatefulSet());

        Assert.Equal(AllRules, result.Injected.Select(e => e.Split(':')[0]).Distinct().Order());
        Assert.Equal(string.Join(",", result.Injected), result.Mutated.Metadata.Annotations["statefulguard.io/injected"]);
        Assert.False(result.Mutated.Spec.Template.Metadata.Annotations?.ContainsKey("statefulguard.io/injected") ?? false);
        Assert.All(result.Patch, op => Assert.True(
            op.Path.StartsWith("/spec/template/", StringComparison.Ordinal) || op.Path.StartsWith("/metadata/annotations", StringComparison.Ordinal), op.Path));
    }

    /// <summary>
    /// The engine works on a shallow copy of the StatefulSet that names its members one by one: a member a newer client
    /// model adds must be copied too, or it would be silently dropped from the mutated object. Every settable member of
    /// the object, its metadata and its spec is set here and must come through.
    /// </summary>
    [Fact]
    public void The_working_copy_keeps_every_member_of_the_object_its_metadata_and_its_spec()
    {
        var sts = Objects.StatefulSet();
        FillUnset(sts, nameof(V1StatefulSet.Metadata), nameof(V1StatefulSet.Spec));
        FillUnset(sts.Metadata, nameof(V1ObjectMeta.Annotations));
        FillUnset(sts.Spec, nameof(V1StatefulSetSpec.Template));

        var result = Mutation.Run(sts);

        Assert.NotSame(sts, result.Mutated);
        Assert.NotEmpty(result.Patch);
        AssertSameMembers(sts, result.Mutated, nameof(V1StatefulSet.Metadata), nameof(V1StatefulSet.Spec));
        AssertSameMembers(sts.Metadata, result.Mutated.Metadata, nameof(V1ObjectMeta.Annotations));
        AssertSameMembers(sts.Spec, result.Mutated.Spec, nameof(V1StatefulSetSpec.Template));
    }

    private static void FillUnset(object target, params string[] except)
    {
        foreach (var property in target.GetType().GetProperties().Where(p => p.CanWrite && !except.Contains(p.Name)))
        {
            if (property.GetValue(target) is not null)
            {
                continue;
            }

            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object value = type switch
            {
                _ when type == typeof(string) => "x",
                _ when type == typeof(int) => 1,
                _ when type == typeof(long) => 1L,
                _ when type == typeof(bool) => true,
                _ when type == typeof(DateTime) => new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
                _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>) =>
                    Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(type.GetGenericArguments()))!,
                _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>) =>
                    Activator.CreateInstance(typeof(List<>).MakeGenericType(type.GetGenericArguments()))!,
                _ => Activator.CreateInstance(type)!,
            };
            property.SetValue(target, value);
        }
    }

    private static void AssertSameMembers(object expected, object actual, params string[] except)
    {
        foreach (var property in expected.GetType().GetProperties().Where(p => p.CanWrite && !except.Contains(p.Name)))
        {
            var want = property.GetValue(expected);
            Assert.True(want is not null, $"{property.Name} was not filled");
            Assert.True(Equals(want, property.GetValue(actual)), $"{expected.GetType().Name}.{property.Name} was not copied");
        }
    }

    [Fact]
    public void Mutating_the_output_again_gives_no_patch()
    {
        var first = Mutation.Run(Objects.StatefulSet());
        var again = Mutation.Run(first.Mutated);
        Assert.Empty(again.Patch);
    }

    [Fact]
    public void Skip_annotation_opts_out_of_the_named_defaults_only()
    {
        var sts = Objects.StatefulSet(edit: j => j["metadata"]!["annotations"]!["statefulguard.io/skip"] = "probes, prestop");
        var result = Mutation.Run(sts);

        Assert.Null(Mutation.Container(result.Mutated, "nginx").StartupProbe);
        Assert.Null(Mutation.Container(result.Mutated, "nginx").Lifecycle);
        Assert.Equal(["security-context", "topology-spread"], result.Injected.Select(e => e.Split(':')[0]).Distinct().Order());
    }

    [Fact]
    public void Unknown_skip_name_is_reported()
    {
        var sts = Objects.StatefulSet(edit: j => j["metadata"]!["annotations"]!["statefulguard.io/skip"] = "probe");
        Assert.Contains(Mutation.Run(sts).Warnings, w => w.StartsWith("statefulguard.io/skip: unknown name \"probe\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Audit_mode_patches_nothing_and_says_what_it_would_inject()
    {
        var result = Mutation.Run(Objects.StatefulSet(), mode: GuardMode.Audit);

        Assert.Empty(result.Patch);
        Assert.Equal("would inject: prestop (nginx), probes (nginx), security-context (nginx, pod), topology-spread", result.Warnings[0]);
    }

    [Fact]
    public void Off_mode_does_nothing()
    {
        var result = Mutation.Run(Objects.StatefulSet(), mode: GuardMode.Off);
        Assert.Empty(result.Patch);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Update_of_a_statefulset_admitted_before_statefulguard_does_not_touch_an_unchanged_template()
    {
        var old = Objects.StatefulSet();
        var scaled = Objects.StatefulSet(edit: j => j["spec"]!["replicas"] = 5);

        var result = Mutation.Run(scaled, operation: Operation.Update, old: old);

        Assert.Empty(result.Patch);
    }

    [Fact]
    public void Update_that_changes_the_template_gets_the_defaults()
    {
        var old = Objects.StatefulSet();
        var upgraded = Objects.StatefulSet(edit: j => Mutation.Pod(j)["containers"]![0]!["image"] = "registry.k8s.io/nginx-slim:0.28");

        var result = Mutation.Run(upgraded, operation: Operation.Update, old: old);

        Assert.NotNull(Mutation.Container(result.Mutated, "nginx").StartupProbe);
    }

    [Fact]
    public void Scale_of_a_mutated_statefulset_gives_no_patch()
    {
        var stored = Stored(Mutation.Run(Objects.StatefulSet()).Mutated);
        var scaled = Stored(stored);
        scaled.Spec.Replicas = 1;

        Assert.Empty(Mutation.Run(scaled, operation: Operation.Update, old: stored).Patch);
    }

    [Fact]
    public void Replacing_with_the_original_manifest_reproduces_the_stored_template_even_after_defaults_changed()
    {
        var stored = Stored(Mutation.Run(Objects.StatefulSet()).Mutated);
        var changedDefaults = new Dictionary<string, string?>
        {
            ["Rules:probes:LivenessPeriodSeconds"] = "45",
            ["Rules:prestop:SleepSeconds"] = "3",
            ["Rules:topology-spread:MaxSkew"] = "2",
        };

        var result = Mutation.Run(Objects.StatefulSet(), operation: Operation.Update, old: stored, settings: changedDefaults);

        Assert.Equal(Template(stored), Template(result.Mutated));
        Assert.Equal(stored.Metadata.Annotations["statefulguard.io/injected"], result.Mutated.Metadata.Annotations["statefulguard.io/injected"]);
    }

    [Fact]
    public void A_value_the_user_set_is_not_overwritten_by_a_stored_injected_one()
    {
        var stored = Stored(Mutation.Run(Objects.StatefulSet()).Mutated);
        var own = Objects.StatefulSet(edit: j => Mutation.Pod(j)["containers"]![0]!["livenessProbe"] = new JsonObject
        {
            ["exec"] = new JsonObject { ["command"] = new JsonArray("/healthcheck") },
            ["timeoutSeconds"] = 1,
            ["periodSeconds"] = 10,
            ["successThreshold"] = 1,
            ["failureThreshold"] = 3,
        });

        var result = Mutation.Run(own, operation: Operation.Update, old: stored);

        Assert.Equal(["/healthcheck"], Mutation.Container(result.Mutated, "nginx").LivenessProbe.Exec.Command);
        Assert.Equal(stored.Spec.Template.Spec.Containers[0].StartupProbe.PeriodSeconds, Mutation.Container(result.Mutated, "nginx").StartupProbe.PeriodSeconds);
    }

    [Fact]
    public void A_mutating_rule_that_throws_leaves_no_edit_and_no_injected_entry_and_the_others_still_apply()
    {
        // The half-applied rule edits the template and records an entry, then throws.
        var catalog = new RuleCatalog([.. RuleCatalog.Default.Rules, new HalfApplied()]);
        var engine = new RuleEngine(RuleSet.Defaults(catalog), EngineSettings.Default);
        var sts = Objects.StatefulSet();

        var result = engine.Mutate(new RuleInput(Operation.Create, "shop", sts, null), Mutation.Cluster(1, 31));

        Assert.DoesNotContain(result.Injected, e => e.StartsWith("half-applied", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Patch, op => op.Path.Contains("half-applied", StringComparison.Ordinal) || op.Value?.ToJsonString().Contains("half-applied", StringComparison.Ordinal) == true);
        Assert.False(result.Mutated.Spec.Template.Metadata.Labels.ContainsKey("half-applied"));
        Assert.Contains("half-applied: failed, nothing injected (InvalidOperationException)", result.Warnings);
        Assert.Equal(AllRules, result.Injected.Select(e => e.Split(':')[0]).Distinct().Order());
        Assert.Equal(string.Join(",", result.Injected), result.Mutated.Metadata.Annotations["statefulguard.io/injected"]);
    }

    private sealed class HalfApplied : StatefulGuard.Core.Rules.MutatingRule<StatefulGuard.Core.Rules.RuleOptions>
    {
        public override StatefulGuard.Core.Rules.RuleDescriptor Descriptor { get; } =
            new("half-applied", StatefulGuard.Core.Rules.RuleKind.Mutating, StatefulGuard.Core.Rules.RuleAction.Warn, "test rule that fails halfway");

        protected override void Apply(StatefulGuard.Core.Rules.MutationContext context, StatefulGuard.Core.Rules.RuleOptions options)
        {
            context.StatefulSet.Spec.Template.Metadata.Labels["half-applied"] = "yes";
            _ = context.Fill("half-applied:label", 0, static (_, _) => (string?)null, static _ => "yes");
            throw new InvalidOperationException("boom");
        }
    }
}
