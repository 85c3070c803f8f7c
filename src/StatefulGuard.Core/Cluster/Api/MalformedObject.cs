namespace StatefulGuard.Core.Cluster.Api;

/// <summary>
/// An object the apiserver sent that could not be read (a list item, a watch event, a stored report, the Lease, an
/// exception): skipped, counted and said, never fatal.
/// </summary>
/// <param name="Kind">The kind it was to be (<c>Service</c>, <c>Lease</c>, <c>Report</c>).</param>
/// <param name="Source">Where it came from: <c>list</c>, <c>watch</c>, <c>read</c> or <c>write</c>.</param>
/// <param name="Name">namespace/name where it could be read; empty otherwise.</param>
/// <param name="Reason">Why it could not be read.</param>
public sealed record MalformedObject(string Kind, string Source, string Name, string Reason);
