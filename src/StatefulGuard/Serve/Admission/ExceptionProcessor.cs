using System.Text.Json;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Exceptions;

namespace StatefulGuard.Serve.Admission;

/// <summary>StatefulGuardException CREATE and UPDATE on /validate: admitted only when well formed, every problem named with its field.</summary>
internal sealed class ExceptionProcessor(ExceptionValidator validator) : IAdmissionProcessor
{
    public bool Takes(AdmissionEndpoint endpoint, AdmissionRequest request, Operation operation) =>
        endpoint == AdmissionEndpoint.Validate && operation is Operation.Create or Operation.Update
        && request.Resource is { Group: StatefulGuardException.Group, Resource: StatefulGuardException.Plural }
        && string.IsNullOrEmpty(request.SubResource);

    public AdmissionOutcome Process(AdmissionEndpoint endpoint, AdmissionRequest request, string uid, Operation operation)
    {
        if (request.Object is not { ValueKind: JsonValueKind.Object } objectJson)
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"request.object must be a StatefulGuardException object for {request.Operation}");
        }

        StatefulGuardException exception;
        try
        {
            exception = AdmissionObjects.Deserialize<StatefulGuardException>(objectJson);
        }
        catch (Exception ex) when (AdmissionObjects.IsBadObject(ex))
        {
            return AdmissionOutcome.Fail(StatusCodes.Status400BadRequest, $"request.object is not a valid {StatefulGuardException.GroupVersion} StatefulGuardException: {ex.Message}");
        }

        var name = exception.Metadata?.Name ?? request.Name ?? "";
        var ns = !string.IsNullOrEmpty(request.Namespace) ? request.Namespace : exception.Metadata?.NamespaceProperty ?? "";
        var problems = validator.AdmissionProblems(exception);
        var response = new AdmissionResponse
        {
            Uid = uid,
            Allowed = problems.Count == 0,
            Status = problems.Count == 0 ? null : new AdmissionStatus
            {
                Code = StatusCodes.Status422UnprocessableEntity,
                Reason = "Invalid",
                Message = $"StatefulGuard denied StatefulGuardException {ns}/{name}: " + string.Join("; ", problems),
            },
        };
        return new AdmissionOutcome(response, null, request, StatefulGuardException.KindName, name, problems.Count == 0 ? "" : "exception-validation:deny", "");
    }
}
