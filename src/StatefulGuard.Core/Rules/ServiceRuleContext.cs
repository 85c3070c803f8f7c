using k8s.Models;
using StatefulGuard.Core.Admission;
using StatefulGuard.Core.Cluster;

namespace StatefulGuard.Core.Rules;

/// <summary>What a rule sees of a Service change: its name, both versions (either may be absent) and who asked.</summary>
public sealed record ServiceRuleContext(
    Operation Operation, string Namespace, string Name, V1Service? Service, V1Service? OldService, string? Username, IClusterView Cluster);
