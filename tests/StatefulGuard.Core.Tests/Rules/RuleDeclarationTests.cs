using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Tests.Rules;

/// <summary>What rules declare they read (cluster kinds, spec fields) is what they read.</summary>
public sealed class RuleDeclarationTests
{
    /// <summary>Read by the engine for every rule: the namespace's mode label and the exceptions.</summary>
    private static readonly ClusterKind[] EngineReads = [ClusterKinds.Namespace, ClusterKinds.Exception];

    public static TheoryData<string> RuleIds => [.. RuleCatalog.Default.Rules.Select(r => r.Descriptor.Id)];

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Each_rule_looks_up_only_the_cluster_kinds_it_declares(string id)
    {
        var rule = RuleCatalog.Default.Find(id)!;
        var engine = new RuleEngine(RuleSet.Defaults(new RuleCatalog([rule])), EngineSettings.Default);
        var recorder = new RecordingView(Cluster());

        var variants = new[]
        {
            Objects.StatefulSet(),
            Objects.StatefulSet(edit: j => j["spec"]!["serviceName"] = "other"),
            // A spread selector drifted from the pods: label-coherence then looks at the other StatefulSets.
            Objects.StatefulSet(edit: j => j["spec"]!["template"]!["spec"]!["topologySpreadConstraints"] = new JsonArray(new JsonObject
            {
                ["maxSkew"] = 1, ["topologyKey"] = "kubernetes.io/hostname", ["whenUnsatisfiable"] = "DoNotSchedule",
                ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app.kubernetes.io/name"] = "web", ["tier"] = "db" } },
            })),
        };
        foreach (var sts in variants)
        {
            engine.Validate(new RuleInput(Operation.Create, "shop", sts, null), recorder);
            engine.Mutate(new RuleInput(Operation.Create, "shop", sts, null), recorder);
            engine.Validate(new RuleInput(Operation.Update, "shop", sts, Objects.StatefulSet()), recorder);
        }

        var service = Objects.Service();
        engine.ValidateService(new ServiceRuleContext(Operation.Delete, "shop", "nginx", null, service, "someone", recorder));
        engine.ValidateService(new ServiceRuleContext(Operation.Update, "shop", "nginx",
            Objects.Service(edit: j => j["spec"]!["clusterIP"] = "10.0.0.1"), service, "someone", recorder));

        Assert.Subset(rule.Descriptor.Reads.Concat(EngineReads).ToHashSet(), recorder.Read);
        Assert.Superset(rule.Descriptor.Reads.ToHashSet(), recorder.Read);
    }

    [Fact]
    public void Every_declared_kind_is_read_by_a_rule_or_the_engine()
    {
        var read = RuleCatalog.Default.Rules.SelectMany(r => r.Descriptor.Reads).Concat(EngineReads).ToHashSet();

        Assert.Equal(ClusterKinds.All.ToHashSet(), read);
    }

    [Fact]
    public void Mutating_rules_declare_the_spec_fields_they_read_and_mutate_reads_exactly_those()
    {
        var mutating = RuleCatalog.Default.Rules.OfType<IMutatingRule>().ToArray();

        Assert.All(mutating, r => Assert.NotNull(r.Descriptor.SpecFields));
        Assert.Equal(mutating.SelectMany(r => r.Descriptor.SpecFields!).Distinct().Order(StringComparer.Ordinal), AdmissionObjects.MutationSpecFields);
    }

    /// <summary>Spec members no mutating rule declares, with values that would matter if a rule read them.</summary>
    private static readonly Gen<JsonObject> OtherSpec = Gen.Select(Gen.Int[0, 9], Gen.Bool, Gen.Bool, Gen.Int[0, 600]).Select((replicas, parallel, claims, minReady) =>
    {
        var spec = new JsonObject
        {
            ["replicas"] = replicas,
            ["serviceName"] = replicas % 2 == 0 ? "nginx" : "elsewhere",
            ["podManagementPolicy"] = parallel ? "Parallel" : "OrderedReady",
            ["minReadySeconds"] = minReady,
            ["updateStrategy"] = new JsonObject { ["type"] = parallel ? "OnDelete" : "RollingUpdate" },
        };
        if (claims)
        {
            spec["volumeClaimTemplates"] = new JsonArray(new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = "data" },
                ["spec"] = new JsonObject { ["accessModes"] = new JsonArray("ReadWriteOnce"), ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = "1Gi" } } },
            });
        }

        return spec;
    });

    [Fact]
    public void Reading_only_the_declared_spec_fields_gives_the_patch_and_warnings_of_the_whole_read() =>
        Gen.Select(OtherSpec, Gen.Int[27, 33], Gen.Bool).Sample((other, minor, spread) =>
        {
            var json = Objects.Json("statefulset-web.json");
            foreach (var (key, value) in other)
            {
                json["spec"]![key] = value!.DeepClone();
            }

            if (spread)
            {
                json["spec"]!["template"]!["spec"]!["topologySpreadConstraints"] = new JsonArray(new JsonObject
                {
                    ["maxSkew"] = 1, ["topologyKey"] = "kubernetes.io/hostname", ["whenUnsatisfiable"] = "DoNotSchedule",
                });
            }

            var body = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["apiVersion"] = "admission.k8s.io/v1",
                ["kind"] = "AdmissionReview",
                ["request"] = new JsonObject
                {
                    ["uid"] = "0df28fbd-5f5f-4f5e-9a3c-1f0e0d6e1a11",
                    ["kind"] = new JsonObject { ["group"] = "apps", ["version"] = "v1", ["kind"] = "StatefulSet" },
                    ["resource"] = new JsonObject { ["group"] = "apps", ["version"] = "v1", ["resource"] = "statefulsets" },
                    ["namespace"] = "shop",
                    ["operation"] = "CREATE",
                    ["object"] = json,
                },
            }.ToJsonString());

            var engine = new RuleEngine(RuleSet.Defaults(RuleCatalog.Default), EngineSettings.Default);
            string Answer(ObjectParts parts)
            {
                var request = AdmissionReviewReader.Parse(body, parts).Request!;
                var sts = AdmissionObjects.ReadStatefulSet(request.Object!.Value, out var template);
                var result = engine.Mutate(new RuleInput(Operation.Create, "shop", sts, null) { TemplateJson = template }, Mutation.Cluster(1, minor), editInPlace: true);
                return Encoding.UTF8.GetString(JsonPatchBuilder.ToJson(result.Patch)) + "\n" + string.Join("\n", result.Warnings);
            }

            return Answer(ObjectParts.Mutation) == Answer(ObjectParts.Whole);
        }, iter: 200);

    private static StaticClusterView Cluster() => Mutation.Cluster(1, 31)
        .Add(Objects.Service(), "shop")
        .Add(Objects.Namespace("shop", null))
        .Add(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop" },
            Spec = new V1PodDisruptionBudgetSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "web" } } },
        }, "shop")
        .Add(Objects.StatefulSet(edit: j => j["metadata"]!["name"] = "web-2"), "shop");

    /// <summary>Notes the kinds looked up.</summary>
    private sealed class RecordingView(IClusterView inner) : IClusterView
    {
        public HashSet<ClusterKind> Read { get; } = [];

        public Lookup<T> Get<T>(ClusterKind<T> kind, string @namespace, string name)
            where T : class
        {
            Read.Add(kind);
            return inner.Get(kind, @namespace, name);
        }

        public Lookup<IReadOnlyList<T>> List<T>(ClusterKind<T> kind, string @namespace)
            where T : class
        {
            Read.Add(kind);
            return inner.List(kind, @namespace);
        }

        public Lookup<CachedStorageClass> GetDefaultStorageClass()
        {
            Read.Add(ClusterKinds.StorageClass);
            return inner.GetDefaultStorageClass();
        }

        public ServerVersion? ServerVersion => inner.ServerVersion;
    }
}
