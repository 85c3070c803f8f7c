using YamlDotNet.Core;

namespace StatefulGuard.Core.Manifests;

/// <summary>A document that breaks a bound or a rule of the format: reported for that document, with its line.</summary>
public sealed class ManifestLimitException(Mark at, string message) : Exception(message)
{
    public int Line { get; } = (int)at.Line;

    /// <summary>The character offset of the offending node in the text read.</summary>
    public long Index { get; } = at.Index;
}
