using System.Text.Json.Nodes;

namespace StatefulGuard.Tests.Support;

/// <summary>AdmissionReview requests shaped exactly as kube-apiserver sends them to a webhook.</summary>
public static class AdmissionReviews
{
    public static JsonObject Create(JsonObject obj, bool dryRun = false, string? uid = null) =>
        Request("CREATE", obj, null, dryRun, uid, "CreateOptions");

    public static JsonObject Update(JsonObject obj, JsonObject oldObject, bool dryRun = false, string? uid = null) =>
        Request("UPDATE", obj, oldObject, dryRun, uid, "UpdateOptions");

    public static JsonObject Delete(JsonObject oldObject, string? uid = null) =>
        Request("DELETE", null, oldObject, false, uid, "DeleteOptions");

    /// <summary>A <c>kubectl scale</c>: the statefulsets/scale subresource with an autoscaling/v1 Scale.</summary>
    public static JsonObject Scale(string ns, string name, int from, int to, string? uid = null)
    {
        JsonObject Scale(int replicas) => new()
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["resourceVersion"] = "48213" },
            ["spec"] = new JsonObject { ["replicas"] = replicas },
            ["status"] = new JsonObject { ["replicas"] = from, ["selector"] = "app.kubernetes.io/name=web" },
        };

        var review = Request("UPDATE", Scale(to), Scale(from), false, uid, "UpdateOptions", ns, name);
        var request = review["request"]!.AsObject();
        request["kind"] = new JsonObject { ["group"] = "autoscaling", ["version"] = "v1", ["kind"] = "Scale" };
        request["resource"] = Gvr("apps", "v1", "statefulsets");
        request["subResource"] = "scale";
        request["requestKind"] = new JsonObject { ["group"] = "autoscaling", ["version"] = "v1", ["kind"] = "Scale" };
        request["requestSubResource"] = "scale";
        return review;
    }

    /// <summary>The CREATE of a StatefulGuardException, as the validating webhook's rule for it sends it.</summary>
    public static JsonObject CreateException(JsonObject exception)
    {
        var meta = exception["metadata"]!;
        var review = Request("CREATE", exception, null, false, null, "CreateOptions", (string?)meta["namespace"], (string?)meta["name"]);
        return Of(review, "statefulguard.io", "v1alpha1", "StatefulGuardException", "statefulguardexceptions");
    }

    /// <summary>The review as the apiserver sends it for another kind: its kind and resource, requested and actual.</summary>
    private static JsonObject Of(JsonObject review, string group, string version, string kind, string resource)
    {
        var request = review["request"]!.AsObject();
        request["kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind };
        request["resource"] = Gvr(group, version, resource);
        request["requestKind"] = request["kind"]!.DeepClone();
        request["requestResource"] = request["resource"]!.DeepClone();
        return review;
    }

    /// <summary>A kind the webhook does not judge, as a misconfigured webhook rule would send it.</summary>
    public static JsonObject CreatePod(string ns)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "debug", ["namespace"] = ns },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox:1.36" }) },
        };
        return Of(Request("CREATE", pod, null, false, null, "CreateOptions", ns, "debug"), "", "v1", "Pod", "pods");
    }

    /// <summary>A Service DELETE: the apiserver sends the stored Service as oldObject and no object.</summary>
    public static JsonObject DeleteService(JsonObject stored, string username = "kubernetes-admin", bool dryRun = false, string? uid = null) =>
        AsService(Request("DELETE", null, stored, dryRun, uid, "DeleteOptions"), username);

    public static JsonObject UpdateService(JsonObject updated, JsonObject stored, bool dryRun = false, string? uid = null) =>
        AsService(Request("UPDATE", updated, stored, dryRun, uid, "UpdateOptions"), "kubernetes-admin");

    /// <summary>A Namespace CREATE by <paramref name="username"/> in <paramref name="groups"/> (the apiserver sends the namespace's own name as its namespace).</summary>
    public static JsonObject CreateNamespace(JsonObject ns, string username, params string[] groups) =>
        AsNamespace(Request("CREATE", ns, null, false, null, "CreateOptions", (string)ns["metadata"]!["name"]!), username, groups);

    public static JsonObject UpdateNamespace(JsonObject updated, JsonObject stored, string username, params string[] groups) =>
        AsNamespace(Request("UPDATE", updated, stored, false, null, "UpdateOptions", (string)updated["metadata"]!["name"]!), username, groups);

    private static JsonObject AsNamespace(JsonObject review, string username, string[] groups)
    {
        var request = review["request"]!.AsObject();
        request["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Namespace" };
        request["resource"] = Gvr("", "v1", "namespaces");
        request["requestKind"] = request["kind"]!.DeepClone();
        request["requestResource"] = request["resource"]!.DeepClone();
        request["userInfo"]!["username"] = username;
        request["userInfo"]!["groups"] = new JsonArray([.. groups.Append("system:authenticated").Select(g => (JsonNode?)g)]);
        return review;
    }

    private static JsonObject AsService(JsonObject review, string username)
    {
        var request = review["request"]!.AsObject();
        request["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Service" };
        request["resource"] = Gvr("", "v1", "services");
        request["requestKind"] = request["kind"]!.DeepClone();
        request["requestResource"] = request["resource"]!.DeepClone();
        request["userInfo"]!["username"] = username;
        return review;
    }

    private static JsonObject Request(string operation, JsonObject? obj, JsonObject? oldObject, bool dryRun, string? uid,
        string optionsKind, string? ns = null, string? name = null)
    {
        var meta = (obj ?? oldObject)!["metadata"]!;
        ns ??= meta["namespace"]!.GetValue<string>();
        name ??= meta["name"]!.GetValue<string>();
        var request = new JsonObject
        {
            ["uid"] = uid ?? Guid.NewGuid().ToString(),
            ["kind"] = new JsonObject { ["group"] = "apps", ["version"] = "v1", ["kind"] = "StatefulSet" },
            ["resource"] = Gvr("apps", "v1", "statefulsets"),
            ["requestKind"] = new JsonObject { ["group"] = "apps", ["version"] = "v1", ["kind"] = "StatefulSet" },
            ["requestResource"] = Gvr("apps", "v1", "statefulsets"),
            ["name"] = name,
            ["namespace"] = ns,
            ["operation"] = operation,
            ["userInfo"] = new JsonObject
            {
                ["username"] = "kubernetes-admin",
                ["groups"] = new JsonArray("kubeadm:cluster-admins", "system:authenticated"),
                ["extra"] = new JsonObject { ["authentication.kubernetes.io/credential-id"] = new JsonArray("X509SHA256=4f1c") },
            },
            ["object"] = obj?.DeepClone(),
            ["oldObject"] = oldObject?.DeepClone(),
            ["dryRun"] = dryRun,
            ["options"] = new JsonObject
            {
                ["kind"] = optionsKind,
                ["apiVersion"] = "meta.k8s.io/v1",
                ["fieldManager"] = "kubectl-client-side-apply",
                ["fieldValidation"] = "Strict",
            },
        };
        return new JsonObject
        {
            ["kind"] = "AdmissionReview",
            ["apiVersion"] = "admission.k8s.io/v1",
            ["request"] = request,
        };
    }

    private static JsonObject Gvr(string group, string version, string resource) =>
        new() { ["group"] = group, ["version"] = version, ["resource"] = resource };
}
