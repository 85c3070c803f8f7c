namespace StatefulGuard.Core.Manifests;

public sealed record ManifestSet(IReadOnlyList<ManifestDocument> Documents, IReadOnlyList<ManifestError> Errors);
