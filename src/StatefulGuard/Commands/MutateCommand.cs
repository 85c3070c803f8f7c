using System.Text.Json.Nodes;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Core.Rules.Availability;
using StatefulGuard.Core.Rules.Reachability;

namespace StatefulGuard.Commands;

/// <summary>
/// <c>statefulguard mutate PATH… [--diff] [--companions]</c>: the input manifests with the defaults the webhook would
/// inject, as YAML for <c>kubectl apply -f -</c>, so teams can commit them instead of relying on admission-time mutation;
/// with <c>--companions</c>, after each StatefulSet the headless Service and PodDisruptionBudget it lacks (in the input,
/// and with <c>--cluster</c> in the cluster). Other documents pass through unchanged. The webhook never creates these
/// objects itself: what is printed is committed by the user.
/// </summary>
internal static class MutateCommand
{
    /// <summary>The findings whose suggested object <c>--companions</c> prints.</summary>
    private static readonly HashSet<(string Rule, string Code)> CompanionFindings =
        [(HeadlessService.Id, "service-missing"), (DisruptionBudget.Id, "no-budget")];

    public static async Task<int> RunAsync(MutateArguments args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ServerVersion? version = null;
        if (args.KubernetesVersion is { } text && (version = ServerVersion.Parse(text)) is null)
        {
            await stderr.WriteLineAsync($"statefulguard mutate: --kubernetes-version must look like 1.31, not '{text}'");
            return CommandLine.Usage;
        }

        if (!CommandLine.TryConfiguration("mutate", stderr, out var options, out var rules))
        {
            return CommandLine.Usage;
        }

        // The input is read twice, an object at a time: first every object of a kind the rules look up goes into the view
        // (and every problem is found before anything is printed), then each object is mutated and printed. A
        // 20,000-object List is never all in memory; stdin is kept as text for the second reading.
        var stdinText = args.Paths.Contains(ManifestReader.StdinName) ? await stdin.ReadToEndAsync() : "";
        void Read(Action<ManifestDocument> document, Action<ManifestError> error) =>
            ManifestReader.Stream(args.Paths, new StringReader(stdinText), document, error);

        var failures = new List<ManifestError>();
        var fromInput = new StaticClusterView { ServerVersion = version };
        Read(doc => ManifestAudit.AddToView(fromInput, doc, failures), failures.Add);
        foreach (var exception in ExceptionInputs.Read(args.Exceptions, failures))
        {
            ManifestAudit.AddToView(fromInput, exception, failures);
        }

        foreach (var failure in failures)
        {
            await stderr.WriteLineAsync($"statefulguard mutate: {failure}");
        }

        if (failures.Any(f => !f.IsWarning))
        {
            // Printing the rest would drop the unreadable documents from what gets committed or applied.
            await stderr.WriteLineAsync("statefulguard mutate: nothing printed: every document must be readable to be carried through");
            return CommandLine.Usage;
        }

        IClusterView view = fromInput;
        if (args.Cluster)
        {
            try
            {
                using var connection = options.Cluster.Connect();
                if (connection.Api is not { } api)
                {
                    await stderr.WriteLineAsync("statefulguard mutate: --cluster needs a kubeconfig (KUBECONFIG, ~/.kube/config or StatefulGuard:Cluster:Kubeconfig) or a pod's service account");
                    return CommandLine.Usage;
                }

                var (snapshot, _) = await ClusterSnapshot.LoadAsync(api, args.Namespace, stderr, CancellationToken.None);
                view = new LayeredClusterView(fromInput, version is null ? snapshot : new VersionedView(snapshot, version));
            }
            catch (Exception ex) when (ex is HttpRequestException or Core.Cluster.Api.ApiException or Core.Cluster.Api.MalformedResponseException or TimeoutException
                                           or k8s.Exceptions.KubeConfigException or IOException)
            {
                await stderr.WriteLineAsync($"statefulguard mutate: cannot read the cluster: {ex.Message}");
                return CommandLine.Usage;
            }
        }

        // Every document was read and checked above, so each is printed as soon as it is done with: the output streams,
        // and what is printed is let go (a 20,000-object List does not stay in memory twice).
        var engine = new RuleEngine(rules, options.ToEngineSettings(), clock: ExceptionInputs.Clock(args.Now));
        var printed = new HashSet<(string Kind, string Namespace, string Name)>();
        var anyFailed = false;
        using var yaml = args.Diff ? null : YamlWriter.Open(stdout);
        Read(doc =>
        {
            var (before, sts, failed) = Mutate(doc, engine, view, args, stderr);
            anyFailed |= failed;
            Print(doc, before, doc.Object);
            if (args.Companions && sts is not null)
            {
                foreach (var companion in CompanionsOf(sts, engine, view))
                {
                    var key = (companion["kind"]!.GetValue<string>(), Namespace(companion, sts), companion["metadata"]!["name"]!.GetValue<string>());
                    if (printed.Add(key))
                    {
                        if (args.PublishNotReady && key.Item1 == "Service")
                        {
                            companion["spec"]!["publishNotReadyAddresses"] = true;
                        }

                        Print(null, null, companion);
                        stderr.WriteLine($"statefulguard mutate: {doc.Location}: StatefulSet {Namespace(companion, sts)}/{sts.Metadata?.Name}: added {key.Item1} {key.Item3}");
                    }
                }
            }
        }, _ => { });

        if (anyFailed)
        {
            await stderr.WriteLineAsync("statefulguard mutate: every document was printed, but defaults could not be injected into some (see above)");
            return CommandLine.Usage;
        }

        return CommandLine.Ok;

        void Print(ManifestDocument? doc, JsonObject? before, JsonObject after)
        {
            if (yaml is not null)
            {
                yaml.Write(after);
                return;
            }

            if (doc is not null && JsonNode.DeepEquals(before, after))
            {
                return; // unchanged: nothing to diff, whatever its size
            }

            var label = doc is null
                ? $"{after["kind"]} {(after["metadata"]?["namespace"] as JsonValue)?.GetValue<string>() ?? ManifestAudit.DefaultNamespace}/{after["metadata"]?["name"]} (added)"
                : $"{doc.Location} {doc.Kind} {doc.Namespace ?? ManifestAudit.DefaultNamespace}/{doc.Name}";
            // DiffPlex's unified diff (three lines of context, as diff -u); its line diff is O(ND), so a large document
            // with a small change costs what it reads.
            var diff = DiffPlex.Renderer.UnidiffRenderer.Instance.Generate(
                before is null ? "" : YamlWriter.Write(before).TrimEnd('\n'), YamlWriter.Write(after).TrimEnd('\n'),
                label, label + (doc is null ? "" : " (with defaults)"));

            // An added object's hunk starts at line 0 of an empty file, as diff -u and git write it (patch reads both).
            stdout.Write(before is null ? diff.Replace("\n@@ -1,0 ", "\n@@ -0,0 ", StringComparison.Ordinal) : diff);
        }
    }

    /// <summary>
    /// A StatefulSet with the defaults in (its document is edited in place; with <c>--diff</c> a copy of it as read comes
    /// back), and the StatefulSet as typed; any other document is left as it was read.
    /// </summary>
    private static (JsonObject? Before, V1StatefulSet? StatefulSet, bool Failed) Mutate(ManifestDocument doc, RuleEngine engine, IClusterView view, MutateArguments args, TextWriter stderr)
    {
        var before = args.Diff ? doc.Object.DeepClone().AsObject() : null;
        if (doc is not { Kind: "StatefulSet" })
        {
            return (before, null, false);
        }

        if (ManifestAudit.ApiVersionProblem(doc, "apps/v1") is { } problem)
        {
            stderr.WriteLine($"statefulguard mutate: {doc.Location}: warning: {problem.Message}; printed unchanged");
            return (before, null, false);
        }

        // Read before (where its warnings were said): it is read again here, one at a time, rather than all kept whole.
        if (ManifestAudit.TryConvert<V1StatefulSet>(doc, []) is not { } sts)
        {
            return (before, null, false);
        }

        var ns = sts.Metadata?.NamespaceProperty is { Length: > 0 } n ? n : ManifestAudit.DefaultNamespace;
        try
        {
            var result = engine.Mutate(new RuleInput(Operation.Create, ns, sts, null), view, GuardMode.Enforce);
            ManifestPatch.Apply(doc.Object, result.Patch);
            foreach (var warning in result.Warnings)
            {
                stderr.WriteLine($"statefulguard mutate: {doc.Location}: StatefulSet {ns}/{sts.Metadata?.Name}: {warning}");
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The document is printed as it was read: an object without the defaults is still the user's object.
            stderr.WriteLine($"statefulguard mutate: {doc.Location}: StatefulSet {ns}/{sts.Metadata?.Name}: cannot inject defaults ({ex.GetType().Name}: {ex.Message}); printed unchanged");
            return (before, sts, true);
        }

        return (before, sts, false);
    }

    /// <summary>The objects the StatefulSet lacks, as its findings suggest them (not for a finding an exception waives).</summary>
    private static IEnumerable<JsonObject> CompanionsOf(V1StatefulSet sts, RuleEngine engine, IClusterView view)
    {
        var ns = sts.Metadata?.NamespaceProperty is { Length: > 0 } n ? n : ManifestAudit.DefaultNamespace;
        var evaluation = engine.Validate(new RuleInput(Operation.Create, ns, sts, null), view, GuardMode.Enforce);
        return evaluation.Verdicts
            .Where(v => v.Waiver is null && v.Finding.Suggested is not null && CompanionFindings.Contains((v.RuleId, v.Finding.Code)))
            .OrderBy(v => v.RuleId == HeadlessService.Id ? 0 : 1) // the Service first: the StatefulSet names it
            .Select(v => v.Finding.Suggested!.DeepClone().AsObject());
    }

    private static string Namespace(JsonObject companion, V1StatefulSet sts) =>
        (companion["metadata"]?["namespace"] as JsonValue)?.GetValue<string>() ?? sts.Metadata?.NamespaceProperty ?? ManifestAudit.DefaultNamespace;

    /// <summary>The cluster as seen, with the Kubernetes version given on the command line instead of its own.</summary>
    private sealed class VersionedView(IClusterView inner, ServerVersion version) : IClusterView
    {
        public Lookup<TCached> Get<TCached>(ClusterKind<TCached> kind, string @namespace, string name)
            where TCached : class => inner.Get(kind, @namespace, name);

        public Lookup<IReadOnlyList<TCached>> List<TCached>(ClusterKind<TCached> kind, string @namespace)
            where TCached : class => inner.List(kind, @namespace);

        public ServerVersion? ServerVersion => version;

        public ViewScope Scope => inner.Scope;
    }
}
