using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Serve.Admission;

/// <summary>
/// What a processor decided for one request: the response for the apiserver, or a failure; and what the decision log
/// and the counters record of it.
/// </summary>
internal sealed record AdmissionOutcome(
    AdmissionResponse? Response, AdmissionFailure? Error, AdmissionRequest? Request = null, string? Kind = null,
    string? ObjectName = null, string? RuleIds = null, string? Mode = null)
{
    /// <summary>What the rule counters are taken from once the answer is written.</summary>
    public Evaluation? Evaluation { get; init; }

    public IReadOnlyList<ConfiguredRule>? Evaluated { get; init; }

    public MutationResult? Mutation { get; init; }

    public static AdmissionOutcome Fail(int status, string message) => new(null, new AdmissionFailure(status, message));

    public static AdmissionOutcome Allow(AdmissionRequest request, string uid, string? kind, string? name = null) =>
        new(new AdmissionResponse { Uid = uid, Allowed = true }, null, request, kind, name);
}
