using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Manifests;

/// <summary>
/// The offline adapter over <see cref="RuleEngine"/>: the Services and Namespaces in the input stand in for
/// the cluster, and every StatefulSet is judged as a CREATE, as <c>kubectl apply</c> of the files would be.
/// </summary>
public static class ManifestAudit
{
    public const string DefaultNamespace = "default";

    /// <param name="manifests">The input.</param>
    /// <param name="engine">The engine, configured as the webhook is.</param>
    /// <param name="cluster">A live cluster to look in after the input (<c>audit --cluster</c>).</param>
    /// <param name="mode">The global mode to judge under (enforce: what the webhook would deny).</param>
    /// <param name="progress">Called as objects are judged, with (done, total).</param>
    public static AuditReport Run(ManifestSet manifests, RuleEngine engine, IClusterView? cluster = null, GuardMode? mode = GuardMode.Enforce,
        Action<int, int>? progress = null)
    {
        var errors = new List<ManifestError>(manifests.Errors);
        var (fromInput, statefulSets) = ReadInput(manifests, errors);
        IClusterView view = cluster is null ? fromInput : new LayeredClusterView(fromInput, cluster);
        var reports = new List<ObjectReport>(statefulSets.Count);
        for (var i = 0; i < statefulSets.Count; i++)
        {
            var (doc, sts, apiProblem) = statefulSets[i];
            var ns = sts.Metadata?.NamespaceProperty is { Length: > 0 } n ? n : DefaultNamespace;
            Evaluation evaluation;
            try
            {
                evaluation = engine.Validate(new RuleInput(Operation.Create, ns, sts, null), view, mode);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                errors.Add(new ManifestError(doc.Source, doc.Line, $"StatefulSet {ns}/{sts.Metadata?.Name}: cannot be audited ({ex.GetType().Name}: {ex.Message})") { Fatal = true });
                continue;
            }

            if (apiProblem is { } problem)
            {
                // The apiserver refuses the object outright: an error whatever the mode, and its content is still judged.
                var finding = new Finding(ApiVersionCheck.Id, problem.Code, problem.Message, problem.Fix, "apiVersion");
                evaluation = evaluation with { Verdicts = [new Verdict(finding, RuleAction.Deny, RuleAction.Deny, VerdictQualifier.None), .. evaluation.Verdicts] };
            }

            reports.Add(new ObjectReport(doc, ns, sts.Metadata?.Name ?? "", evaluation));
            progress?.Invoke(i + 1, statefulSets.Count);
        }

        return new AuditReport(reports, errors, manifests.Documents.Count);
    }

    /// <summary>A StatefulSet read from the input, with what is wrong with its apiVersion (the apiserver would refuse it).</summary>
    public sealed record InputStatefulSet(ManifestDocument Document, V1StatefulSet Object, (string Code, string Message, string Fix)? ApiProblem);

    /// <summary>
    /// The view the input stands in for the cluster with: every object of a declared kind (<see cref="ClusterKinds"/>)
    /// the input holds, read as its served version (an older one with a warning), and the StatefulSets to judge.
    /// </summary>
    /// <param name="keepStatefulSets">False: the StatefulSets are put in the view, but not kept whole (a caller that reads them again one by one).</param>
    public static (StaticClusterView View, List<InputStatefulSet> StatefulSets) ReadInput(ManifestSet manifests, List<ManifestError> errors, bool keepStatefulSets = true)
    {
        var fromInput = new StaticClusterView();
        var statefulSets = new List<InputStatefulSet>();
        foreach (var doc in manifests.Documents)
        {
            if (AddToView(fromInput, doc, errors) is { Object: V1StatefulSet sts } read && keepStatefulSets)
            {
                statefulSets.Add(new InputStatefulSet(doc, sts, read.ApiProblem));
            }
        }

        return (fromInput, statefulSets);
    }

    /// <summary>
    /// Puts one document of the input in the view when it is of a declared kind (read as its served version, an older
    /// one with a warning); returns what was read of it, null for other kinds and for what cannot be read.
    /// </summary>
    public static (IKubernetesObject<V1ObjectMeta> Object, (string Code, string Message, string Fix)? ApiProblem)? AddToView(
        StaticClusterView view, ManifestDocument doc, List<ManifestError> errors)
    {
        var served = ServedVersion(doc);
        if (served is null)
        {
            return null; // a kind the rules do not read
        }

        var apiProblem = ApiVersionProblem(doc, served);
        if (apiProblem is not null && doc.Kind != "StatefulSet")
        {
            errors.Add(new ManifestError(doc.Source, doc.Line, apiProblem.Value.Message + $"; read as {served}", IsWarning: true));
        }

        var kind = ClusterKinds.ByKind(doc.Kind)!;
        if (TryConvert(kind, doc, errors) is not { } item)
        {
            return null;
        }

        view.Add(kind, item, DefaultNamespace);
        return (item, apiProblem);
    }

    /// <summary>
    /// The input's own check, reported like a rule: a StatefulSet whose apiVersion no supported Kubernetes serves.
    /// The apiserver rejects such an object before any webhook sees it, so only the offline audit reports it.
    /// </summary>
    public static readonly RuleDescriptor ApiVersionCheck = new("api-version", RuleKind.Validating, RuleAction.Deny,
        "a StatefulSet in the input uses apiVersion apps/v1, the only version Kubernetes 1.16 and later serve")
    {
        Severity = RuleSeverity.High,
        Help = "apps/v1beta1 and apps/v1beta2 StatefulSets are not served since Kubernetes 1.16: kubectl apply fails. Use apiVersion apps/v1 and set spec.selector (required in apps/v1) to the pod template labels. The object is still audited as apps/v1 would read it.",
    };

    /// <summary>The apiVersion the API serves for each kind the rules read; null for other kinds.</summary>
    public static string? ServedVersion(ManifestDocument doc) => ClusterKinds.ByKind(doc.Kind)?.ApiVersion;

    /// <summary>Why the document's apiVersion is not the served one; null when it is.</summary>
    public static (string Code, string Message, string Fix)? ApiVersionProblem(ManifestDocument doc, string served)
    {
        var apiVersion = doc.ApiVersion;
        if (apiVersion == served)
        {
            return null;
        }

        var removedIn = (apiVersion, doc.Kind) switch
        {
            ("apps/v1beta1" or "apps/v1beta2" or "extensions/v1beta1", "StatefulSet") => "1.16",
            ("policy/v1beta1", "PodDisruptionBudget") => "1.25",
            ("storage.k8s.io/v1beta1", "StorageClass") => "1.22",
            _ => null,
        };
        var fix = doc.Kind == "StatefulSet" ? $"use {served} and set spec.selector" : $"use {served}";
        return removedIn is not null
            ? ("not-served", $"{apiVersion} {doc.Kind} is not served since Kubernetes {removedIn}: {fix}", fix)
            : ("unknown-api-version", $"{doc.Kind} with apiVersion \"{apiVersion}\" is served by no Kubernetes version: {fix}", fix);
    }

    /// <summary>
    /// The typed object, or null with an error; fields the API model does not know are reported as warnings.
    /// What the server fills in (<c>status</c>, <c>metadata.managedFields</c>, <c>resourceVersion</c>, <c>uid</c>,
    /// <c>creationTimestamp</c>, ...) is not read: the apiserver ignores it on create, so an exported live object
    /// audits like the manifest it came from.
    /// </summary>
    public static T? TryConvert<T>(ManifestDocument doc, List<ManifestError> errors)
        where T : class => Convert(doc, errors, static input => KubeJson.FromNode<T>(input));

    /// <summary>As <see cref="TryConvert{T}"/>, for a declared kind.</summary>
    public static IKubernetesObject<V1ObjectMeta>? TryConvert(ClusterKind kind, ManifestDocument doc, List<ManifestError> errors) =>
        Convert(doc, errors, kind.Read);

    private static T? Convert<T>(ManifestDocument doc, List<ManifestError> errors, Func<JsonObject, T?> read)
        where T : class
    {
        T? typed;
        // An exception's lifetime is counted from its creation: that timestamp is what it is judged by.
        var input = WithoutServerFields(doc.Object, keepCreation: doc.Kind == Exceptions.StatefulGuardException.KindName);
        try
        {
            typed = read(input);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NotSupportedException or OverflowException or ArgumentException)
        {
            errors.Add(new ManifestError(doc.Source, doc.Line, $"{doc.Kind} {doc.Name}: {ex.Message}"));
            return null;
        }

        if (typed is null)
        {
            errors.Add(new ManifestError(doc.Source, doc.Line, $"{doc.Kind} {doc.Name}: not an object"));
            return null;
        }

        foreach (var path in UnknownFields.Find(input, KubeJson.ToNode(typed, typed.GetType())))
        {
            errors.Add(new ManifestError(doc.Source, doc.LineOf(path),
                $"{doc.Kind} {doc.Name}: unknown field {path}: the apiserver drops it silently", IsWarning: true));
        }

        return typed;
    }

    private static readonly string[] ServerMetadata = ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];

    /// <summary>The object without what the server populates; the same object when it has none of it.</summary>
    private static JsonObject WithoutServerFields(JsonObject obj, bool keepCreation)
    {
        var metadata = obj["metadata"] as JsonObject;
        var dropped = keepCreation ? ServerMetadata.Where(k => k != "creationTimestamp").ToArray() : ServerMetadata;
        if (!obj.ContainsKey("status") && (metadata is null || !dropped.Any(metadata.ContainsKey)))
        {
            return obj;
        }

        var copy = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key == "status")
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject meta)
            {
                var trimmed = new JsonObject();
                foreach (var (k, v) in meta)
                {
                    if (!dropped.Contains(k))
                    {
                        trimmed[k] = v?.DeepClone();
                    }
                }

                copy[key] = trimmed;
                continue;
            }

            copy[key] = value?.DeepClone();
        }

        return copy;
    }
}
