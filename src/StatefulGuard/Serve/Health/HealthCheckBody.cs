namespace StatefulGuard.Serve.Health;

internal sealed record HealthCheckBody(string Status, string? Description);
