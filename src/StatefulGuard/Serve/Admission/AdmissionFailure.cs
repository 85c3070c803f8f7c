namespace StatefulGuard.Serve.Admission;

/// <summary>A refusal of the request itself (4xx), answered as <c>{"error": …}</c>.</summary>
internal sealed record AdmissionFailure(int Status, string Message);
