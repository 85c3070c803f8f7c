using BenchmarkDotNet.Attributes;
using k8s;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Bench;

/// <summary>Where an admission's CPU time goes: parsing the review, the validating rules, the mutation with its patch.</summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private byte[] body = [];
    private V1StatefulSet statefulSet = null!;
    private ReadOnlyMemory<byte> template;
    private RuleEngine engine = null!;
    private StaticClusterView cluster = null!;

    [GlobalSetup]
    public void Setup()
    {
        // BenchmarkDotNet runs this in a generated process of its own: bench/run.sh passes the request's path.
        body = File.ReadAllBytes(Environment.GetEnvironmentVariable("STATEFULGUARD_BENCH_REQUEST")
                                 ?? Path.Combine(AppContext.BaseDirectory, "requests", "create-statefulset.json"));
        statefulSet = AdmissionObjects.ReadStatefulSet(AdmissionReviewReader.Parse(body).Request!.Object!.Value, out template);
        engine = new RuleEngine(RuleSet.Defaults(RuleCatalog.Default), EngineSettings.Default);
        cluster = new StaticClusterView { ServerVersion = new ServerVersion(1, 31), Scope = ViewScope.Cluster }
            .Add(KubernetesJson.Deserialize<V1Service>("""{"metadata":{"name":"nginx","namespace":"shop"},"spec":{"clusterIP":"None","selector":{"app.kubernetes.io/name":"web"}}}"""), "shop")
            .Add(KubernetesJson.Deserialize<V1StorageClass>("""{"metadata":{"name":"standard","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"volumeBindingMode":"WaitForFirstConsumer"}"""))
            .Add(KubernetesJson.Deserialize<V1PodDisruptionBudget>("""{"metadata":{"name":"web","namespace":"shop"},"spec":{"selector":{"matchLabels":{"app.kubernetes.io/name":"web"}}}}"""), "shop");
    }

    /// <summary>The AdmissionReview envelope and the StatefulSet inside it, read in one pass as the handler reads them.</summary>
    [Benchmark]
    public V1StatefulSet Parse() => AdmissionObjects.ReadStatefulSet(AdmissionReviewReader.Parse(body).Request!.Object!.Value, out _);

    /// <summary>As /mutate reads it: the metadata, selector and pod template only.</summary>
    [Benchmark]
    public V1StatefulSet ParseForMutation() =>
        AdmissionObjects.ReadStatefulSet(AdmissionReviewReader.Parse(body, ObjectParts.Mutation).Request!.Object!.Value, out _);

    [Benchmark]
    public Evaluation Validate() => engine.Validate(new RuleInput(Operation.Create, "shop", statefulSet, null), cluster);

    /// <summary>
    /// The mutating rules and the patch against the template as received, as the handler runs them, except that the
    /// rules edit a copy of the template (read from its JSON) rather than the request's own object.
    /// </summary>
    [Benchmark]
    public byte[] MutateAndPatch() =>
        JsonPatchBuilder.ToJson(engine.Mutate(new RuleInput(Operation.Create, "shop", statefulSet, null) { TemplateJson = template }, cluster).Patch);
}
