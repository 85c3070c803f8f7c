namespace StatefulGuard.Serve.Reports;

/// <summary>How long a Lease is held without renewal, how long a leader keeps trying to renew, and how often it tries.</summary>
internal sealed record LeaseTimings(TimeSpan Duration, TimeSpan RenewDeadline, TimeSpan RetryPeriod);
