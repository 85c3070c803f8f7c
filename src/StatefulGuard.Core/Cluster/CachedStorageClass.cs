namespace StatefulGuard.Core.Cluster;

/// <summary>A StorageClass: storage-binding reads its binding mode, and whether it is the default (the newest default wins).</summary>
public sealed record CachedStorageClass(string Name, string? Provisioner, string? VolumeBindingMode, bool IsDefault, DateTime? Created)
    : CachedObject("", Name);
