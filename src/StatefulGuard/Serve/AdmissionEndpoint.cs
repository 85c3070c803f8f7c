namespace StatefulGuard.Serve;

public enum AdmissionEndpoint
{
    Validate,
    Mutate,
}
