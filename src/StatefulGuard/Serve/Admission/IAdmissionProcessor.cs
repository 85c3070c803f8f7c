using StatefulGuard.Core.Admission;

namespace StatefulGuard.Serve.Admission;

/// <summary>Answers the admission requests of one kind: the router hands each request to the first that takes it.</summary>
internal interface IAdmissionProcessor
{
    bool Takes(AdmissionEndpoint endpoint, AdmissionRequest request, Operation operation);

    AdmissionOutcome Process(AdmissionEndpoint endpoint, AdmissionRequest request, string uid, Operation operation);
}
