namespace StatefulGuard.Core.Manifests;

/// <summary>A problem with the input: a document that could not be read (an error), or one read with a doubt (a warning).</summary>
public sealed record ManifestError(string Source, int Line, string Message, bool IsWarning = false)
{
    /// <summary>The tool itself failed on this input (never a verdict on it): the run exits 2.</summary>
    public bool Fatal { get; init; }

    public override string ToString() => (Line > 0 ? $"{Source}:{Line}: " : $"{Source}: ") + (IsWarning ? "warning: " : "") + Message;
}
