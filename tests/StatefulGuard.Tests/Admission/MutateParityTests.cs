using System.Text.Json.Nodes;
using StatefulGuard.Commands;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Admission;

/// <summary>
/// GitOps and admission never disagree on defaults: for every fixture StatefulSet, what <c>statefulguard mutate</c>
/// prints, once the apiserver has defaulted it, is exactly what POST /mutate's patch makes of the defaulted object
/// (the webhook reads only part of the object, the CLI all of it), and both say the same warnings.
/// </summary>
public sealed class MutateParityTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    public static TheoryData<string> Files()
    {
        var files = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mutation"))
                     .Concat(Directory.EnumerateFiles(Repository.Examples))
                     .Order(StringComparer.Ordinal))
        {
            files.Add(file);
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Mutate_and_the_webhook_inject_the_same_defaults(string file)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        // The fake apiserver reports v1.31.
        var exit = await CommandLine.RunAsync(["mutate", "--kubernetes-version", "1.31", file], new StringReader(""), stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        var printed = ManifestReader.ReadText("-", stdout.ToString()).Documents;
        var input = ManifestReader.ReadPaths([file]).Documents;
        Assert.Equal(input.Count, printed.Count);

        var compared = 0;
        for (var i = 0; i < input.Count; i++)
        {
            if (input[i] is not { Kind: "StatefulSet", ApiVersion: "apps/v1" } || NamespaceModeOff(input, input[i]))
            {
                continue;
            }

            var sent = ApiServerDefaults.Apply(input[i].Object.DeepClone().AsObject());
            var result = (await cluster.Webhook.PostAsync("/mutate", AdmissionReviews.Create(sent))).AssertWellFormed(validating: false);
            var admitted = result.PatchJson is { } patch ? MutationFixtures.ApplyPatch(sent, patch) : sent;
            var offline = ApiServerDefaults.Apply(printed[i].Object.DeepClone().AsObject());

            Assert.True(JsonNode.DeepEquals(offline, admitted), $"{file} #{i}:\nmutate: {offline.ToJsonString()}\n/mutate: {admitted.ToJsonString()}");
            var name = $"{input[i].Namespace ?? "default"}/{input[i].Name}";
            var offlineWarnings = stderr.ToString().Split('\n')
                .Where(l => l.Contains($"StatefulSet {name}: ", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf($"StatefulSet {name}: ", StringComparison.Ordinal) + $"StatefulSet {name}: ".Length)..].TrimEnd('\r'))
                .ToArray();
            Assert.Equal(offlineWarnings, result.Warnings);
            compared++;
        }

        Assert.True(compared > 0 || input.All(d => d.Kind != "StatefulSet" || NamespaceModeOff(input, d)), $"{file}: nothing compared");
    }

    /// <summary>The file's own Namespace switches StatefulGuard off there (the webhook's cluster does not have it).</summary>
    private static bool NamespaceModeOff(IReadOnlyList<ManifestDocument> documents, ManifestDocument statefulSet) =>
        documents.Any(d => d is { Kind: "Namespace" } && d.Name == statefulSet.Namespace
                           && (string?)d.Object["metadata"]?["labels"]?["statefulguard.io/mode"] == "off");
}
