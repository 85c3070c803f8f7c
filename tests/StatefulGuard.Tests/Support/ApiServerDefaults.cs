using System.Text.Json.Nodes;

namespace StatefulGuard.Tests.Support;

/// <summary>
/// The defaults kube-apiserver fills into an apps/v1 StatefulSet (SetDefaults_StatefulSet, _PodSpec,
/// _Container, _Probe, _PersistentVolumeClaim …), so fixtures arrive as a webhook really sees them, and a
/// patched object can be re-defaulted as the apiserver does before it calls webhooks again.
/// </summary>
public static class ApiServerDefaults
{
    public static JsonObject Apply(JsonObject sts)
    {
        var spec = Obj(sts, "spec");
        Default(spec, "replicas", 1);
        Default(spec, "podManagementPolicy", "OrderedReady");
        Default(spec, "revisionHistoryLimit", 10);
        var strategy = Obj(spec, "updateStrategy");
        Default(strategy, "type", "RollingUpdate");
        if ((string?)strategy["type"] == "RollingUpdate")
        {
            Default(Obj(strategy, "rollingUpdate"), "partition", 0);
        }

        var retention = Obj(spec, "persistentVolumeClaimRetentionPolicy");
        Default(retention, "whenDeleted", "Retain");
        Default(retention, "whenScaled", "Retain");

        var template = Obj(spec, "template");
        var templateMeta = Obj(template, "metadata");
        if (!templateMeta.ContainsKey("creationTimestamp"))
        {
            templateMeta["creationTimestamp"] = null;
        }

        var pod = Obj(template, "spec");
        Default(pod, "restartPolicy", "Always");
        Default(pod, "terminationGracePeriodSeconds", 30);
        Default(pod, "dnsPolicy", "ClusterFirst");
        Default(pod, "schedulerName", "default-scheduler");
        Obj(pod, "securityContext");
        foreach (var key in new[] { "initContainers", "containers" })
        {
            foreach (var container in (pod[key] as JsonArray ?? []).OfType<JsonObject>())
            {
                Container(container);
            }
        }

        foreach (var volume in (pod["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            foreach (var source in new[] { "configMap", "secret" })
            {
                if (volume[source] is JsonObject projected)
                {
                    Default(projected, "defaultMode", 420);
                }
            }
        }

        foreach (var claim in (spec["volumeClaimTemplates"] as JsonArray ?? []).OfType<JsonObject>())
        {
            Default(claim, "kind", "PersistentVolumeClaim");
            Default(claim, "apiVersion", "v1");
            var claimMeta = Obj(claim, "metadata");
            if (!claimMeta.ContainsKey("creationTimestamp"))
            {
                claimMeta["creationTimestamp"] = null;
            }

            Default(Obj(claim, "spec"), "volumeMode", "Filesystem");
            Default(Obj(claim, "status"), "phase", "Pending");
        }

        return sts;
    }

    private static void Container(JsonObject container)
    {
        Default(container, "terminationMessagePath", "/dev/termination-log");
        Default(container, "terminationMessagePolicy", "File");
        var image = (string?)container["image"] ?? "";
        var tag = image.Contains('@', StringComparison.Ordinal) ? "digest" : image.Split('/')[^1].Split(':') is [_, var t] ? t : "latest";
        Default(container, "imagePullPolicy", tag == "latest" ? "Always" : "IfNotPresent");
        Obj(container, "resources");
        foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            Default(port, "protocol", "TCP");
        }

        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            if (container[probe] is JsonObject p)
            {
                Default(p, "timeoutSeconds", 1);
                Default(p, "periodSeconds", 10);
                Default(p, "successThreshold", 1);
                Default(p, "failureThreshold", 3);
                if (p["httpGet"] is JsonObject get)
                {
                    Default(get, "scheme", "HTTP");
                }
            }
        }

        foreach (var hook in new[] { "postStart", "preStop" })
        {
            if (container["lifecycle"]?[hook]?["httpGet"] is JsonObject get)
            {
                Default(get, "scheme", "HTTP");
            }
        }

        foreach (var env in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (env["valueFrom"]?["fieldRef"] is JsonObject fieldRef)
            {
                Default(fieldRef, "apiVersion", "v1");
            }
        }
    }

    private static JsonObject Obj(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    private static void Default(JsonObject obj, string key, JsonNode value)
    {
        if (obj[key] is null)
        {
            obj[key] = value;
        }
    }
}
