using k8s.Models;

namespace StatefulGuard.Core.Engine;

/// <summary>The engine's answer to a mutation request.</summary>
/// <param name="Mode">The mode in force for the object's namespace.</param>
/// <param name="Patch">The RFC 6902 patch to send (empty in audit and off modes, or when nothing is missing).</param>
/// <param name="Injected">What was (or in audit mode would be) injected, as annotation entries.</param>
/// <param name="Warnings">Short messages for the user: what could not be injected and why, or what audit mode would inject.</param>
/// <param name="Mutated">The object with the defaults in (unchanged in audit and off modes).</param>
public sealed record MutationResult(
    GuardMode Mode, IReadOnlyList<PatchOperation> Patch, IReadOnlyList<string> Injected, IReadOnlyList<string> Warnings, V1StatefulSet Mutated)
{
    /// <summary>The mutating rules (by id) the object opted out of with the <c>statefulguard.io/skip</c> annotation.</summary>
    public IReadOnlySet<string> OptedOut { get; init; } = new HashSet<string>();

    /// <summary>The mutating rules (by id) an exception waives for the object, with the exception.</summary>
    public IReadOnlyDictionary<string, Exceptions.Waiver> Waived { get; init; } = new Dictionary<string, Exceptions.Waiver>();
}
