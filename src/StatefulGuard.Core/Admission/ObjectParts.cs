namespace StatefulGuard.Core.Admission;

/// <summary>What of a StatefulSet object the envelope's pass reads into the model.</summary>
public enum ObjectParts
{
    /// <summary>Every member the model knows (validation reads them all).</summary>
    Whole,

    /// <summary>
    /// <c>metadata</c> and the members of <c>spec</c> the mutating rules declare they read
    /// (<see cref="Rules.RuleDescriptor.SpecFields"/>, <see cref="AdmissionObjects.MutationSpecFields"/>): the rest of the
    /// spec and the status are skipped unread (not built, and not checked for type or duplicate keys).
    /// </summary>
    Mutation,
}
