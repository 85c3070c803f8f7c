using k8s.Models;

namespace StatefulGuard.Core.Cluster;

public static class StorageClasses
{
    public const string DefaultAnnotation = "storageclass.kubernetes.io/is-default-class";

    public static bool IsDefault(V1StorageClass storageClass) =>
        storageClass.Metadata?.Annotations?.TryGetValue(DefaultAnnotation, out var value) == true
        && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The default class as the apiserver picks it when several are marked: the newest, then by name.</summary>
    public static CachedStorageClass? PickDefault(IEnumerable<CachedStorageClass> classes) =>
        classes.Where(c => c.IsDefault)
            .OrderByDescending(c => c.Created ?? DateTime.MinValue)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
}
