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
                _ => null,
            };
            if (resource is not null)
            {
                await cluster.ApplyAndWaitAsync(resource, doc.Object);
            }
        }

        Assert.NotEmpty(audit.Objects);
        foreach (var expected in audit.Objects)
        {
            var review = AdmissionReviews.Create(ApiServerDefaults.Apply(expected.Document.Object.DeepClone().AsObject()));
            var actual = (await cluster.Webhook.PostAsync("/validate", review)).AssertWellFormed();

            Assert.Equal(expected.Evaluation.Allowed, actual.Allowed);
            Assert.Equal(Messages.Warnings(expected.Evaluation), actual.Warnings);
            Assert.Equal(expected.Evaluation.Allowed ? null : Messages.DenialMessage("StatefulSet", expected.Namespace, expected.Name, expected.Evaluation), actual.Message);
        }
    }

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
