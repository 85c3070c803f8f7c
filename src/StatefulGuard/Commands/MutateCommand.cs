using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using StatefulGuard.Configuration;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;

namespace StatefulGuard.Commands;

/// <summary>
/// <c>statefulguard mutate PATH… [--diff]</c>: the input manifests with the defaults the webhook would
/// inject, as YAML for <c>kubectl apply -f -</c>, so teams can commit them instead of relying on
/// admission-time mutation. Other documents pass through unchanged.
/// </summary>
internal static class MutateCommand
{
    public static int Run(string[] paths, bool diff, string? kubernetesVersion, string[] exceptionPaths, DateTimeOffset? now, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ServerVersion? version = null;
        if (kubernetesVersion is { } text && (version = ServerVersion.Parse(text)) is null)
        {
            stderr.WriteLine($"statefulguard mutate: --kubernetes-version must look like 1.31, not '{text}'");
            return CommandLine.Usage;
        }

        if (!CommandLine.TryConfiguration("mutate", stderr, out var options, out var rules))
        {
            return CommandLine.Usage;
        }

        var manifests = ExceptionInputs.With(ManifestReader.ReadPaths(paths, stdin), exceptionPaths);
        foreach (var error in manifests.Errors)
        {
            stderr.WriteLine($"statefulguard mutate: {error}");
        }

        if (manifests.Errors.Any(e => !e.IsWarning))
        {
            // Printing the rest would drop the unreadable documents from what gets committed or applied.
            stderr.WriteLine("statefulguard mutate: nothing printed: every document must be readable to be carried through");
            return CommandLine.Usage;
        }

        var view = new StaticClusterView { ServerVersion = version };
        var failures = new List<ManifestError>();
        foreach (var doc in manifests.Documents.Where(d => d is { ApiVersion: "v1", Kind: "Namespace" }))
        {
            if (ManifestAudit.TryConvert<V1Namespace>(doc, failures) is { } ns)
            {
                view.Add(ns);
            }
        }

        foreach (var doc in manifests.Documents.Where(d => d is { ApiVersion: Core.Exceptions.StatefulGuardException.GroupVersion, Kind: Core.Exceptions.StatefulGuardException.KindName }))
        {
            if (ManifestAudit.TryConvert<Core.Exceptions.StatefulGuardException>(doc, failures) is { } exception)
            {
                view.Add(exception, ManifestAudit.DefaultNamespace);
            }
        }

        var engine = new RuleEngine(rules, options.EngineSettings, clock: ExceptionInputs.Clock(now));
        var outputs = new List<(ManifestDocument Doc, JsonObject Before, JsonObject After)>();
        foreach (var doc in manifests.Documents)
        {
            // Only a StatefulSet can change: the other documents are printed as they were read.
            var after = doc is { Kind: "StatefulSet" } ? doc.Object.DeepClone().AsObject() : doc.Object;
            if (doc is { Kind: "StatefulSet" } && ManifestAudit.ApiVersionProblem(doc, "apps/v1") is { } problem)
            {
                stderr.WriteLine($"statefulguard mutate: {doc.Location}: warning: {problem.Message}; printed unchanged");
            }
            else if (doc is { Kind: "StatefulSet" })
            {
                if (ManifestAudit.TryConvert<V1StatefulSet>(doc, failures) is { } sts)
                {
                    var ns = sts.Metadata?.NamespaceProperty is { Length: > 0 } n ? n : ManifestAudit.DefaultNamespace;
                    try
                    {
                        var result = engine.Mutate(new RuleInput(Operation.Create, ns, sts, null), view, GuardMode.Enforce);
                        JsonPatchBuilder.Apply(after, result.Patch);
                        foreach (var warning in result.Warnings)
                        {
                            stderr.WriteLine($"statefulguard mutate: {doc.Location}: StatefulSet {ns}/{sts.Metadata?.Name}: {warning}");
                        }
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        failures.Add(new ManifestError(doc.Source, doc.Line, $"StatefulSet {ns}/{sts.Metadata?.Name}: cannot inject defaults ({ex.GetType().Name}: {ex.Message})"));
                    }
                }
            }

            outputs.Add((doc, doc.Object, after));
        }

        foreach (var failure in failures)
        {
            stderr.WriteLine($"statefulguard mutate: {failure}");
        }

        if (failures.Any(f => !f.IsWarning))
        {
            stderr.WriteLine("statefulguard mutate: nothing printed: every document must be readable to be carried through");
            return CommandLine.Usage;
        }

        if (diff)
        {
            foreach (var (doc, before, after) in outputs)
            {
                if (JsonNode.DeepEquals(before, after))
                {
                    continue; // unchanged: nothing to diff, whatever its size
                }

                var label = $"{doc.Location} {doc.Kind} {doc.Namespace ?? ManifestAudit.DefaultNamespace}/{doc.Name}";
                stdout.Write(UnifiedDiff.Create(YamlWriter.Write(before), YamlWriter.Write(after), label, label + " (with defaults)"));
            }
        }
        else
        {
            stdout.Write(YamlWriter.Write(outputs.Select(o => (JsonNode)o.After)));
        }

        return CommandLine.Ok;
    }
}
