using System.Text.Json.Nodes;
using k8s.Models;
using StatefulGuard.Core.Rules.Defaults;

namespace StatefulGuard.Core.Rules;

/// <summary>
/// The objects a StatefulSet needs beside it, built from the StatefulSet alone when they are missing: its governing
/// headless Service and a PodDisruptionBudget. Both select the pods by the StatefulSet's own <c>matchLabels</c>, which
/// the apiserver guarantees are on every pod; without matchLabels, or where the name is one the apiserver would refuse,
/// nothing is suggested.
/// </summary>
public static class Companions
{
    /// <summary>
    /// A headless Service named <c>spec.serviceName</c> in the StatefulSet's namespace: <c>clusterIP: None</c>, the
    /// StatefulSet's matchLabels as selector, one port per named container port (targetPort by name). Null when the
    /// StatefulSet names no Service or has no matchLabels.
    /// </summary>
    public static JsonObject? HeadlessService(V1StatefulSet statefulSet)
    {
        if (statefulSet.Spec?.ServiceName is not { Length: > 0 } name || !Names.IsDns1035Label(name) || MatchLabels(statefulSet) is not { } selector)
        {
            return null;
        }

        var ports = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (statefulSet.Spec.Template?.Spec is { } pod)
        {
            foreach (var container in PodContainers.LongRunning(pod))
            {
                foreach (var port in container.Ports ?? [])
                {
                    if (port?.Name is not { Length: > 0 } portName || !seen.Add(portName))
                    {
                        continue;
                    }

                    var entry = new JsonObject { ["name"] = portName, ["port"] = port.ContainerPort, ["targetPort"] = portName };
                    if (port.Protocol is { Length: > 0 } protocol && protocol != "TCP")
                    {
                        entry["protocol"] = protocol;
                    }

                    ports.Add((JsonNode)entry);
                }
            }
        }

        var spec = new JsonObject { ["clusterIP"] = "None", ["selector"] = selector };
        if (ports.Count > 0)
        {
            spec["ports"] = ports;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = Metadata(statefulSet, name),
            ["spec"] = spec,
        };
    }

    /// <summary>A PodDisruptionBudget named after the StatefulSet, selecting its pods, with <c>maxUnavailable: 1</c>; null without matchLabels.</summary>
    public static JsonObject? DisruptionBudget(V1StatefulSet statefulSet)
    {
        if (statefulSet.Metadata?.Name is not { Length: > 0 } name || !Names.IsDns1123Subdomain(name) || MatchLabels(statefulSet) is not { } selector)
        {
            return null;
        }

        return new JsonObject
        {
            ["apiVersion"] = "policy/v1",
            ["kind"] = "PodDisruptionBudget",
            ["metadata"] = Metadata(statefulSet, name),
            ["spec"] = new JsonObject { ["maxUnavailable"] = 1, ["selector"] = new JsonObject { ["matchLabels"] = selector } },
        };
    }

    private static JsonObject? MatchLabels(V1StatefulSet statefulSet)
    {
        if (statefulSet.Spec?.Selector?.MatchLabels is not { Count: > 0 } labels)
        {
            return null;
        }

        var selector = new JsonObject();
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            selector[key] = value;
        }

        return selector;
    }

    /// <summary>The name, the StatefulSet's namespace where it names one, and its labels (the application's own labelling).</summary>
    private static JsonObject Metadata(V1StatefulSet statefulSet, string name)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (statefulSet.Metadata?.NamespaceProperty is { Length: > 0 } ns)
        {
            metadata["namespace"] = ns;
        }

        if (statefulSet.Metadata?.Labels is { Count: > 0 } labels)
        {
            var copy = new JsonObject();
            foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                copy[key] = value;
            }

            metadata["labels"] = copy;
        }

        return metadata;
    }
}
