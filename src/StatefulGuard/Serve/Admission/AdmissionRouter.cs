using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Serve.Admission;

/// <summary>
/// Reads an AdmissionReview from the body once, checks its envelope, and routes the request by kind to the processor
/// that takes it; what no processor takes (scale subresources, deletes, kinds a misconfigured webhook sends) is allowed.
/// Input that is not a readable AdmissionReview is a 400 naming the problem; an exception of ours answers by the
/// failure policy of a rule that cannot evaluate, never as an empty 500.
/// </summary>
internal sealed partial class AdmissionRouter(IReadOnlyList<IAdmissionProcessor> processors, EngineSettings settings, ILogger logger)
{
    public AdmissionOutcome Decide(ReadOnlyMemory<byte> body, AdmissionEndpoint endpoint)
    {
        AdmissionReview review;
        try
        {
            // The mutating rules read only what they declare: the rest of the object is not built for them.
            review = AdmissionReviewReader.Parse(body, endpoint == AdmissionEndpoint.Mutate ? ObjectParts.Mutation : ObjectParts.Whole);
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"body is not a valid AdmissionReview: {ex.Message}");
        }

        if (AdmissionBody.InvalidUtf8(body.Span) is { } invalid)
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"body is not a valid AdmissionReview: {invalid}");
        }

        try
        {
            return Route(review, endpoint);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && review.Request?.Uid is { Length: > 0 } uid)
        {
            LogUnexpected(logger, ex, endpoint == AdmissionEndpoint.Validate ? "validate" : "mutate", uid);
            var deny = endpoint == AdmissionEndpoint.Validate && settings.RuleErrors == RuleErrorPolicy.Deny
                       && review.Request.Operation is "CREATE" or "UPDATE";
            var response = new AdmissionResponse
            {
                Uid = uid,
                Allowed = !deny,
                Status = deny
                    ? new AdmissionStatus { Code = StatusCodes.Status500InternalServerError, Reason = "InternalError",
                        Message = $"StatefulGuard could not evaluate the object ({ex.GetType().Name}); see the webhook's log. To let such objects through, set StatefulGuard:RuleErrors to Allow." }
                    : null,
                Warnings = [Messages.Fit($"StatefulGuard could not evaluate the object ({ex.GetType().Name}); nothing was checked or injected")],
            };
            return new AdmissionOutcome(response, null, review.Request, review.Request.Kind?.Kind, review.Request.Name, "", "");
        }
    }

    private AdmissionOutcome Route(AdmissionReview review, AdmissionEndpoint endpoint)
    {
        if (review.ApiVersion != AdmissionReview.V1 || review.Kind != AdmissionReview.ReviewKind)
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest,
                $"expected apiVersion {AdmissionReview.V1} and kind {AdmissionReview.ReviewKind}, got '{review.ApiVersion}' '{review.Kind}' (set admissionReviewVersions: [v1])");
        }

        if (review.Request is not { } request)
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, "AdmissionReview has no request");
        }

        if (string.IsNullOrEmpty(request.Uid))
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, "request.uid is missing");
        }

        if (!OperationNames.TryParse(request.Operation, out var operation))
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"request.operation '{request.Operation}' is not CREATE, UPDATE, DELETE or CONNECT");
        }

        foreach (var processor in processors)
        {
            if (processor.Takes(endpoint, request, operation))
            {
                return processor.Process(endpoint, request, request.Uid, operation);
            }
        }

        return AdmissionOutcome.Allow(request, request.Uid, request.Kind?.Kind);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure answering {Endpoint} request {Uid}")]
    private static partial void LogUnexpected(ILogger logger, Exception ex, string endpoint, string uid);
}
