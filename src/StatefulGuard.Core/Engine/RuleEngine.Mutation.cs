using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Engine;

public sealed partial class RuleEngine
{
    /// <summary>
    /// Runs the mutating rules. On UPDATE, values injected earlier are taken from the stored object, and when
    /// the update leaves the pod template as stored no new default is added: that would roll every pod.
    /// </summary>
    /// <param name="editInPlace">
    /// The caller has no further use for <c>input.Object</c>'s pod template (the webhook, once it has the patch):
    /// the first pass then edits that template instead of a deserialized copy. Its annotations are still copied.
    /// </param>
    public MutationResult Mutate(RuleInput input, IClusterView cluster, GuardMode? globalMode = null, bool editInPlace = false)
    {
        var mode = ModeResolution.Resolve(globalMode ?? settings.Mode, cluster.GetNamespace(input.Namespace), out var note);
        var notes = note is null ? new List<string>() : [note];
        if (mode == GuardMode.Off || rules.Mutating.Count == 0 || input.Object.Spec?.Template is null)
        {
            return new MutationResult(mode, [], [], notes, input.Object);
        }

        var skips = InjectionAnnotations.Skips(input.Object, rules.Mutating.Select(r => ((IMutatingRule)r.Rule).SkipName), notes);
        var optedOut = rules.Mutating.Where(r => skips.Contains(((IMutatingRule)r.Rule).SkipName)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var waiving = new Waiving(cluster, input.Namespace, Exceptions.WaivedKind.StatefulSet, input.Object.Metadata?.Name ?? "", clock.GetUtcNow(), ExceptionValidator);
        var waived = new Dictionary<string, Exceptions.Waiver>(StringComparer.Ordinal);
        foreach (var configured in rules.Mutating)
        {
            // A default waived by an exception is not injected, as if the object opted out of it.
            if (!skips.Contains(((IMutatingRule)configured.Rule).SkipName) && waiving.Find(configured.Id) is { } waiver)
            {
                skips = new HashSet<string>(skips, StringComparer.Ordinal) { ((IMutatingRule)configured.Rule).SkipName };
                notes.Add(waiver.Warning);
                waived[configured.Id] = waiver;
                Waived?.Invoke(waiver);
            }
        }

        var previously = InjectionAnnotations.Injected(input.OldObject);
        previously.UnionWith(InjectionAnnotations.Injected(input.Object));

        // Rules may only add to the pod template and the annotations, so the patch covers those alone (not
        // managedFields, status and the rest of a large object), worked out against the template's JSON as received
        // when the caller has it, else as the model writes it before the rules run.
        var templateBefore = input.TemplateJson.IsEmpty ? KubeJson.ToUtf8(input.Object.Spec.Template) : input.TemplateJson;

        MutationContext pass;
        if (input is { Operation: Operation.Update, OldObject: { } old })
        {
            pass = Run(input, templateBefore, cluster, previously, skips, allowNewInjections: false, editInPlace);
            if (old.Spec?.Template is not { } stored || !SameJson(pass.StatefulSet.Spec.Template, stored))
            {
                pass = Run(input, templateBefore, cluster, previously, skips, allowNewInjections: true, reuseTemplate: false);
            }
        }
        else
        {
            pass = Run(input, templateBefore, cluster, previously, skips, allowNewInjections: true, editInPlace);
        }

        var warnings = notes.Concat(pass.Warnings).ToList();
        if (pass.Injected.Count == 0)
        {
            return new MutationResult(mode, [], [], warnings, input.Object) { OptedOut = optedOut, Waived = waived };
        }

        InjectionAnnotations.Record(pass.StatefulSet, pass.Injected);
        var patch = Patch(input.Object, templateBefore, pass.StatefulSet);
        if (mode == GuardMode.Audit)
        {
            if (patch.Count > 0)
            {
                warnings.Insert(0, "would inject: " + InjectionAnnotations.Summary(pass.Injected));
            }

            return new MutationResult(mode, [], pass.Injected.ToArray(), warnings, input.Object) { OptedOut = optedOut, Waived = waived };
        }

        return new MutationResult(mode, patch, pass.Injected.ToArray(), warnings, pass.StatefulSet) { OptedOut = optedOut, Waived = waived };
    }

    /// <summary>
    /// One pass of the mutating rules over a working copy. Each rule is a transaction: when one throws, the pass
    /// starts again from the object as received without it, so no half-applied default (nor its injected entry)
    /// reaches the patch, the other rules' edits stand, and the warning that says nothing was injected is true.
    /// </summary>
    private MutationContext Run(RuleInput input, ReadOnlyMemory<byte> templateBefore, IClusterView cluster, IReadOnlySet<string> previously,
        IReadOnlySet<string> skips, bool allowNewInjections, bool reuseTemplate)
    {
        Dictionary<string, string>? failed = null;
        while (true)
        {
            // After a failure the template is read afresh from its JSON: the failed attempt may have edited it in place.
            var context = new MutationContext(input.Operation, input.Namespace, WorkingCopy(input.Object, templateBefore, reuseTemplate && failed is null),
                input.OldObject, cluster, previously, allowNewInjections);
            var clean = true;
            foreach (var configured in rules.Mutating)
            {
                var rule = (IMutatingRule)configured.Rule;
                if (skips.Contains(rule.SkipName) || failed?.ContainsKey(rule.Descriptor.Id) == true)
                {
                    continue;
                }

                try
                {
                    rule.Mutate(context, configured.Options);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogRuleFailed(logger, ex, rule.Descriptor.Id, input.Namespace, input.Object.Metadata?.Name ?? "");
                    (failed ??= new Dictionary<string, string>(StringComparer.Ordinal))[rule.Descriptor.Id] = ex.GetType().Name;
                    clean = false;
                    break;
                }
            }

            if (clean)
            {
                foreach (var (id, error) in failed ?? [])
                {
                    context.Warn($"{id}: failed, nothing injected ({error})");
                }

                return context;
            }
        }
    }

    /// <summary>
    /// A copy for the rules to edit: the pod template deep-copied (from its JSON, already at hand) unless the caller
    /// lets the rules edit its own, the annotations copied, and everything else shared with the original, which
    /// rules only read. The members are named one by one (no reflection, no serializer round trip on every admission);
    /// MutationTests fills every member the client model has and fails when one is not copied.
    /// </summary>
    private static V1StatefulSet WorkingCopy(V1StatefulSet original, ReadOnlyMemory<byte> templateBefore, bool reuseTemplate)
    {
        var metadata = original.Metadata is { } m
            ? new V1ObjectMeta
            {
                Annotations = m.Annotations is null ? null : new Dictionary<string, string>(m.Annotations),
                CreationTimestamp = m.CreationTimestamp,
                DeletionGracePeriodSeconds = m.DeletionGracePeriodSeconds,
                DeletionTimestamp = m.DeletionTimestamp,
                Finalizers = m.Finalizers,
                GenerateName = m.GenerateName,
                Generation = m.Generation,
                Labels = m.Labels,
                ManagedFields = m.ManagedFields,
                Name = m.Name,
                NamespaceProperty = m.NamespaceProperty,
                OwnerReferences = m.OwnerReferences,
                ResourceVersion = m.ResourceVersion,
                SelfLink = m.SelfLink,
                Uid = m.Uid,
            }
            : null;
        var spec = original.Spec;
        return new V1StatefulSet
        {
            ApiVersion = original.ApiVersion,
            Kind = original.Kind,
            Metadata = metadata,
            Spec = new V1StatefulSetSpec
            {
                Replicas = spec.Replicas,
                Selector = spec.Selector,
                ServiceName = spec.ServiceName,
                Template = reuseTemplate ? spec.Template : KubeJson.FromUtf8<V1PodTemplateSpec>(templateBefore.Span),
                VolumeClaimTemplates = spec.VolumeClaimTemplates,
                UpdateStrategy = spec.UpdateStrategy,
                PodManagementPolicy = spec.PodManagementPolicy,
                RevisionHistoryLimit = spec.RevisionHistoryLimit,
                MinReadySeconds = spec.MinReadySeconds,
                PersistentVolumeClaimRetentionPolicy = spec.PersistentVolumeClaimRetentionPolicy,
                Ordinals = spec.Ordinals,
            },
            Status = original.Status,
        };
    }

    /// <summary>The pod template's additions under <c>/spec/template</c>, and the annotations' changes under <c>/metadata/annotations</c>.</summary>
    private static List<PatchOperation> Patch(V1StatefulSet original, ReadOnlyMemory<byte> templateBefore, V1StatefulSet mutated)
    {
        var operations = new List<PatchOperation>();
        var before = original.Metadata?.Annotations;
        var after = mutated.Metadata?.Annotations;
        if (after is { Count: > 0 } && original.Metadata is null)
        {
            // `add` needs the parent: an object sent without metadata gets it whole.
            operations.Add(new PatchOperation(PatchOperation.Add, "/metadata", new JsonObject { ["annotations"] = KubeJson.ToNode(after) }));
        }
        else if (after is { Count: > 0 } && before is null)
        {
            operations.Add(new PatchOperation(PatchOperation.Add, "/metadata/annotations", KubeJson.ToNode(after)));
        }
        else if (after is not null && before is not null)
        {
            // Usually one key changes (the injected list): only changed keys are collected, then put in key order,
            // instead of sorting every annotation on every admission.
            List<KeyValuePair<string, string>>? changed = null;
            foreach (var pair in after)
            {
                if (!before.TryGetValue(pair.Key, out var old) || old != pair.Value)
                {
                    (changed ??= []).Add(pair);
                }
            }

            changed?.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            foreach (var (key, value) in changed ?? [])
            {
                var op = before.ContainsKey(key) ? PatchOperation.Replace : PatchOperation.Add;
                operations.Add(new PatchOperation(op, "/metadata/annotations/" + JsonPatchBuilder.Escape(key), JsonValue.Create(value)));
            }
        }

        if (mutated.Spec?.Template is { } template)
        {
            AddedMembers.Collect(template, templateBefore.Span, "/spec/template", operations);
        }

        return operations;
    }

    /// <summary>Equal JSON: the same bytes, or the same members in another order (a map read in another order).</summary>
    private static bool SameJson(V1PodTemplateSpec a, V1PodTemplateSpec b)
    {
        var left = KubeJson.ToUtf8(a);
        var right = KubeJson.ToUtf8(b);
        if (left.AsSpan().SequenceEqual(right))
        {
            return true;
        }

        using var leftJson = JsonDocument.Parse(left);
        using var rightJson = JsonDocument.Parse(right);
        return JsonElement.DeepEquals(leftJson.RootElement, rightJson.RootElement);
    }
}
