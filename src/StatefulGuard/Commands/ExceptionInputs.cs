using StatefulGuard.Core.Exceptions;
using StatefulGuard.Core.Manifests;

namespace StatefulGuard.Commands;

/// <summary>What the offline commands share about exceptions: <c>--exceptions PATH</c> and <c>--now</c>.</summary>
internal static class ExceptionInputs
{
    /// <summary>The input with the StatefulGuardExceptions of the extra paths added (their other documents are not audited).</summary>
    public static ManifestSet With(ManifestSet input, IReadOnlyList<string> exceptionPaths)
    {
        if (exceptionPaths.Count == 0)
        {
            return input;
        }

        var extra = ManifestReader.ReadPaths(exceptionPaths);
        return new ManifestSet(
            [.. input.Documents, .. extra.Documents.Where(d => d.Kind == StatefulGuardException.KindName)],
            [.. input.Errors, .. extra.Errors]);
    }

    /// <summary>The StatefulGuardExceptions of the extra paths (their other documents are not read); problems go to <paramref name="errors"/>.</summary>
    public static IReadOnlyList<ManifestDocument> Read(IReadOnlyList<string> exceptionPaths, List<ManifestError> errors)
    {
        if (exceptionPaths.Count == 0)
        {
            return [];
        }

        var extra = ManifestReader.ReadPaths(exceptionPaths);
        errors.AddRange(extra.Errors);
        return [.. extra.Documents.Where(d => d.Kind == StatefulGuardException.KindName)];
    }

    /// <summary>The clock exceptions expire against: the given moment (reproducible CI runs), else the system's.</summary>
    public static TimeProvider Clock(DateTimeOffset? now) => now is { } fixedNow ? new FixedClock(fixedNow) : TimeProvider.System;

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
