using CsCheck;
using k8s.Models;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Tests.Cluster;

/// <summary>What the caches keep of each kind, and the compact label maps they keep it in.</summary>
public sealed class CachedObjectsTests
{
    private static readonly Gen<string> Key = Gen.OneOf(Gen.Const("app"), Gen.Const("app.kubernetes.io/name"), Gen.Const("tier"), Gen.Const("release"), Gen.String[Gen.Char.AlphaNumeric, 1, 6]);

    private static readonly Gen<string> Value = Gen.OneOf(Gen.Const("db"), Gen.Const("web"), Gen.Const(""), Gen.String[Gen.Char.AlphaNumeric, 0, 6]);

    private static readonly Gen<Dictionary<string, string>> Labels = Gen.Dictionary(Key, Value)[0, 6];

    [Fact]
    public void A_label_dictionary_answers_every_lookup_as_the_dictionary_it_was_made_from() =>
        Gen.Select(Labels, Key).Sample((labels, probe) =>
        {
            var kept = LabelDictionary.From(labels);

            Assert.Equal(labels.Count, kept.Count);
            Assert.Equal(labels.TryGetValue(probe, out var expected), kept.TryGetValue(probe, out var actual));
            Assert.Equal(expected, actual);
            Assert.Equal(labels.ContainsKey(probe), kept.ContainsKey(probe));
            Assert.Equal(labels.OrderBy(p => p.Key, StringComparer.Ordinal), kept);
            Assert.All(labels, p => Assert.Equal(p.Value, kept[p.Key]));
        });

    [Fact]
    public void Selectors_judge_kept_labels_and_selectors_as_they_judge_the_originals() =>
        Gen.Select(Labels, Labels, Key, Gen.OneOf(Gen.Const("In"), Gen.Const("NotIn"), Gen.Const("Exists"), Gen.Const("DoesNotExist")), Value).Sample((pod, match, key, op, value) =>
        {
            var selector = new V1LabelSelector { MatchLabels = match, MatchExpressions = [new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = [value] }] };
            var kept = new CachedDisruptionBudget("shop", "web", new V1LabelSelector { MatchLabels = LabelDictionary.From(match), MatchExpressions = selector.MatchExpressions });
            var budget = ClusterKinds.PodDisruptionBudget.Project(new V1PodDisruptionBudget { Metadata = new V1ObjectMeta { Name = "web" }, Spec = new V1PodDisruptionBudgetSpec { Selector = selector } });
            var podLabels = LabelDictionary.From(pod);

            Assert.Equal(Selectors.Matches(selector, pod), Selectors.Matches(kept.Selector, podLabels));
            Assert.Equal(Selectors.Matches(selector, pod), Selectors.Matches(budget.Selector, pod));
            Assert.Equal(Selectors.LabelSelectorMismatches(selector, pod), Selectors.LabelSelectorMismatches(budget.Selector!, podLabels));
            Assert.Equal(Selectors.Compare(selector, pod).Selects, Selectors.Compare(budget.Selector!, podLabels).Selects);
            Assert.Equal(Selectors.Mismatches(match, pod), Selectors.Mismatches(LabelDictionary.From(match), podLabels));
        });

    [Fact]
    public void Label_dictionaries_with_the_same_pairs_are_equal_and_so_are_the_records_keeping_them() =>
        Gen.Select(Labels, Labels).Sample((a, b) =>
        {
            var (first, again, other) = (LabelDictionary.From(a), LabelDictionary.From(new Dictionary<string, string>(a)), LabelDictionary.From(b));

            Assert.Equal(first, again);
            Assert.Equal(first.GetHashCode(), again.GetHashCode());
            Assert.Equal(new CachedService("shop", "db", null, "None", first), new CachedService("shop", "db", null, "None", again));
            Assert.Equal(a.OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual(b.OrderBy(p => p.Key, StringComparer.Ordinal)), first.Equals(other));
        });

    [Fact]
    public void A_label_dictionary_is_read_only()
    {
        var kept = LabelDictionary.From(new Dictionary<string, string> { ["app"] = "db" });

        Assert.True(kept.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => kept["app"] = "web");
        Assert.Throws<NotSupportedException>(() => kept.Add("tier", "data"));
        Assert.Throws<NotSupportedException>(() => kept.Remove("app"));
        Assert.Throws<NotSupportedException>(() => kept.Add(KeyValuePair.Create("tier", "data")));
        Assert.Throws<NotSupportedException>(kept.Clear);
        Assert.Throws<KeyNotFoundException>(() => kept["tier"]);
        Assert.Equal("db", kept["app"]);
    }

    [Fact]
    public void Null_and_empty_label_maps_stay_what_they_were()
    {
        Assert.Null(LabelDictionary.From(null));
        Assert.Same(LabelDictionary.Empty, LabelDictionary.From(new Dictionary<string, string>()));
        Assert.Null(ClusterKinds.Service.Project(new V1Service { Metadata = new V1ObjectMeta { Name = "db" }, Spec = new V1ServiceSpec { ClusterIP = "None" } }).Selector);
    }

    [Fact]
    public void Each_kind_keeps_the_fields_its_rules_read()
    {
        var service = ClusterKinds.Service.Project(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = "shop", Annotations = new Dictionary<string, string> { ["team"] = "data" } },
            Spec = new V1ServiceSpec { ClusterIP = "None", Type = "ClusterIP", Selector = new Dictionary<string, string> { ["app"] = "db" }, Ports = [new V1ServicePort { Port = 5432 }] },
        });
        Assert.Equal(("shop", "db", "ClusterIP", "None", "db"), (service.Namespace, service.Name, service.Type, service.ClusterIP, service.Selector!["app"]));

        var ns = ClusterKinds.Namespace.Project(new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = "shop", Labels = new Dictionary<string, string> { ["statefulguard.io/mode"] = "audit" } },
            Status = new V1NamespaceStatus { Phase = "Terminating" },
        });
        Assert.Equal(("", "shop", "audit", true), (ns.Namespace, ns.Name, ns.Labels["statefulguard.io/mode"], ns.Terminating));
        Assert.True(ClusterKinds.Namespace.Project(new V1Namespace { Metadata = new V1ObjectMeta { Name = "x", DeletionTimestamp = DateTime.UtcNow } }).Terminating);
        Assert.False(ClusterKinds.Namespace.Project(new V1Namespace { Metadata = new V1ObjectMeta { Name = "x" } }).Terminating);

        var created = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var storageClass = ClusterKinds.StorageClass.Project(new V1StorageClass
        {
            Metadata = new V1ObjectMeta { Name = "fast", CreationTimestamp = created, Annotations = new Dictionary<string, string> { [StorageClasses.DefaultAnnotation] = "TRUE" } },
            Provisioner = "ebs.csi.aws.com",
            VolumeBindingMode = "WaitForFirstConsumer",
        });
        Assert.Equal(new CachedStorageClass("fast", "ebs.csi.aws.com", "WaitForFirstConsumer", true, created), storageClass);

        var sts = ClusterKinds.StatefulSet.Project(new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = "shop", DeletionTimestamp = DateTime.UtcNow },
            Spec = new V1StatefulSetSpec
            {
                ServiceName = "db-headless",
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "db", ["tier"] = "data" } } },
            },
        });
        Assert.Equal(("shop", "db", "db-headless", true, 2), (sts.Namespace, sts.Name, sts.ServiceName, sts.Deleting, sts.PodLabels.Count));
        Assert.IsType<LabelDictionary>(sts.Selector!.MatchLabels);
        Assert.Empty(ClusterKinds.StatefulSet.Project(new V1StatefulSet()).PodLabels);
    }

    [Fact]
    public void The_default_storage_class_is_the_newest_marked_one_then_by_name()
    {
        var old = new CachedStorageClass("b-old", null, null, true, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var newer = new CachedStorageClass("c-new", null, null, true, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var tie = newer with { Name = "a-new" };
        var unmarked = new CachedStorageClass("z", null, null, false, new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Same(tie, StorageClasses.PickDefault([old, newer, tie, unmarked]));
        Assert.Null(StorageClasses.PickDefault([unmarked]));
    }
}
