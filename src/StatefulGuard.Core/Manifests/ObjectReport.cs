using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Manifests;

/// <summary>The verdicts for one StatefulSet read from a manifest.</summary>
public sealed record ObjectReport(ManifestDocument Document, string Namespace, string Name, Evaluation Evaluation);
