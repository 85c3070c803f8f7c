using System.Text.Json.Nodes;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Core.Rules;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Admission;

/// <summary>
/// CI and admission never disagree: every fixture StatefulSet gets the same decision, denial message and
/// warnings from POST /validate (apiserver-defaulted, against a cluster holding the file's objects) as from
/// the offline audit of the file.
/// </summary>
public sealed class ParityTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    public static TheoryData<string> Files()
    {
        var files = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Repository.Examples)
                     .Concat(Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mutation")))
                     .Concat(Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cli")))
                     // Real-world patterns, a folder each; StorageClasses belong to the cluster, which answers for
                     // them differently from the input by design (RealWorldPatternTests checks both sides).
                     .Concat(Directory.EnumerateDirectories(Path.Combine(AppContext.BaseDirectory, "Fixtures", "realworld"))
                         .Where(d => !Directory.EnumerateFiles(d).Any(f => File.ReadAllText(f).Contains("kind: StorageClass", StringComparison.Ordinal))))
                     .Order(StringComparer.Ordinal))
        {
            files.Add(file);
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Validate_and_audit_agree(string file)
    {
        // Each file gets namespaces of its own, so files never see each other's objects.
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var input = ManifestReader.ReadPaths([file]);
        Assert.DoesNotContain(input.Errors, e => !e.IsWarning);
        var documents = input.Documents.Select(d => d with { Object = Rename(d.Object, suffix) }).ToArray();

        var engine = new RuleEngine(RuleSet.Defaults(RuleCatalog.Default), new EngineSettings(GuardMode.Enforce, RuleAction.Off));
        var audit = ManifestAudit.Run(new ManifestSet(documents, []), engine);

        foreach (var doc in documents)
        {
            var resource = doc.Kind switch
            {
                "Service" => "services",
                "Namespace" => "namespaces",
                "PodDisruptionBudget" => "poddisruptionbudgets",
                // The other StatefulSets of the file run in the cluster (label-coherence asks whose pods a label is).
                "StatefulSet" when doc.ApiVersion == "apps/v1" => "statefulsets",
                _ => null,
            };
            if (resource is not null)
            {
                var stored = doc.Object.DeepClone().AsObject();
                stored.Remove("status"); // as the apiserver stores a create: status is its own
                await cluster.ApplyAndWaitAsync(resource, stored);
            }
        }

        Assert.NotEmpty(audit.Objects);
        // The apiserver refuses StatefulSets of an old apiVersion before any webhook sees them.
        foreach (var expected in audit.Objects.Where(o => o.Document.ApiVersion == "apps/v1"))
        {
            var sent = expected.Document.Object.DeepClone().AsObject();
            sent.Remove("status"); // the apiserver resets status on create, before any webhook
            var review = AdmissionReviews.Create(ApiServerDefaults.Apply(sent));
            var actual = (await cluster.Webhook.PostAsync("/validate", review)).AssertWellFormed();

            Assert.Equal(expected.Evaluation.Allowed, actual.Allowed);
            Assert.Equal(Scoped(Messages.Warnings(expected.Evaluation)), Scoped(actual.Warnings));
            Assert.Equal(expected.Evaluation.Allowed ? null : Scoped(Messages.DenialMessage("StatefulSet", expected.Namespace, expected.Name, expected.Evaluation)),
                actual.Message is null ? null : Scoped(actual.Message));
        }
    }

    /// <summary>
    /// The same finding is worded for where it was looked for: "not found in the input" offline, "does not exist"
    /// in the cluster. Those two sentences are compared by rule id; every other text word for word.
    /// </summary>
    private static string[] Scoped(IEnumerable<string> warnings) => warnings.Select(w => Scoped(w)).ToArray();

    private static string Scoped(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text,
            @"(Service ""[^""]*"" named by spec\.serviceName (was not found in the input \(namespace ""[^""]*""\)|does not exist in namespace ""[^""]*"")"
            + @"|no PodDisruptionBudget (selecting the \d+ replicas was found in the input|in namespace ""[^""]*"" selects the \d+ replicas)"
            + @"|Service ""[^""]*"" (not in the input; add|does not exist; create) it headless or fix serviceName"
            + @"|no PodDisruptionBudget (for the pods in the input; add|selects the pods; create) one, maxUnavailable: 1)[^\n]*",
            "<absent: scope-dependent wording>");

    private static JsonObject Rename(JsonObject obj, string suffix)
    {
        var copy = obj.DeepClone().AsObject();
        var meta = copy["metadata"]!.AsObject();
        if ((string?)copy["kind"] == "Namespace")
        {
            meta["name"] = $"{meta["name"]}-{suffix}";
        }
        else
        {
            meta["namespace"] = $"{(string?)meta["namespace"] ?? "default"}-{suffix}";
        }

        return copy;
    }
}
