namespace StatefulGuard.Core.Cluster;

/// <summary>A selector pair the labels do not satisfy; <see cref="Actual"/> is null when the key is missing.</summary>
public sealed record SelectorMismatch(string Key, string Expected, string? Actual)
{
    public override string ToString() =>
        Actual is null ? $"label {Key} missing (selector wants {Expected})" : $"{Key}={Actual}, selector wants {Expected}";
}
