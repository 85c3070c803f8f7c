namespace StatefulGuard.Core.Rules;

/// <summary>
/// A rule that fills in a default the user did not set. It edits <see cref="MutationContext.StatefulSet"/>;
/// the engine computes the patch. It must only fill what is absent and be deterministic, and it may only
/// change the pod template and the StatefulSet's annotations: nothing else becomes part of the patch
/// (every other StatefulSet spec field is immutable on UPDATE). It may only read the metadata and the members of
/// <c>spec</c> its descriptor declares in <see cref="RuleDescriptor.SpecFields"/>: the webhook reads no more of the
/// object for <c>/mutate</c> (<see cref="Admission.ObjectParts.Mutation"/>).
/// </summary>
public interface IMutatingRule : IRule
{
    /// <summary>The name used in <c>statefulguard.io/skip</c> to opt out of this default.</summary>
    string SkipName { get; }

    void Mutate(MutationContext context, RuleOptions options);
}
