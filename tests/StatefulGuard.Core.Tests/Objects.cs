using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Tests;

/// <summary>Apiserver-defaulted fixtures as typed objects, with small edits per test.</summary>
internal static class Objects
{
    public static JsonObject Json(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)))!.AsObject();

    public static V1StatefulSet StatefulSet(string ns = "shop", Action<JsonObject>? edit = null)
    {
        var json = Json("statefulset-web.json");
        json["metadata"]!["namespace"] = ns;
        edit?.Invoke(json);
        return KubernetesJson.Deserialize<V1StatefulSet>(json);
    }

    public static V1Service Service(string ns = "shop", Action<JsonObject>? edit = null)
    {
        var json = Json("service-nginx.json");
        json["metadata"]!["namespace"] = ns;
        edit?.Invoke(json);
        return KubernetesJson.Deserialize<V1Service>(json);
    }

    public static V1Namespace Namespace(string name, string? mode) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = mode is null ? null : new Dictionary<string, string> { ["statefulguard.io/mode"] = mode },
        },
    };
}

/// <summary>A cluster view that cannot tell anything: no cluster access, or caches not yet synced.</summary>
internal sealed class UnknownCluster : StatefulGuard.Core.Cluster.IClusterView
{
    public StatefulGuard.Core.Cluster.Lookup<T> Get<T>(StatefulGuard.Core.Cluster.ClusterKind<T> kind, string @namespace, string name)
        where T : class => StatefulGuard.Core.Cluster.Lookup<T>.Unknown;

    public StatefulGuard.Core.Cluster.Lookup<IReadOnlyList<T>> List<T>(StatefulGuard.Core.Cluster.ClusterKind<T> kind, string @namespace)
        where T : class => StatefulGuard.Core.Cluster.Lookup<IReadOnlyList<T>>.Unknown;

    public StatefulGuard.Core.Cluster.ServerVersion? ServerVersion => null;
}

/// <summary>Runs the mutating rules the way the webhook does.</summary>
internal static class Mutation
{
    public static StatefulGuard.Core.Engine.MutationResult Run(
        V1StatefulSet sts,
        StatefulGuard.Core.Cluster.IClusterView? cluster = null,
        IDictionary<string, string?>? settings = null,
        StatefulGuard.Core.Admission.Operation operation = StatefulGuard.Core.Admission.Operation.Create,
        V1StatefulSet? old = null,
        StatefulGuard.Core.Engine.GuardMode mode = StatefulGuard.Core.Engine.GuardMode.Enforce)
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var rules = StatefulGuard.Core.Engine.RuleSet.Bind(StatefulGuard.Core.Engine.RuleCatalog.Default, config.GetSection("Rules"), out var errors);
        Assert.Empty(errors);
        var engine = new StatefulGuard.Core.Engine.RuleEngine(rules, new StatefulGuard.Core.Engine.EngineSettings(mode, StatefulGuard.Core.Rules.RuleAction.Warn));
        return engine.Mutate(new StatefulGuard.Core.Engine.RuleInput(operation, sts.Metadata.NamespaceProperty ?? "shop", sts, old),
            cluster ?? Cluster(1, 31));
    }

    public static StatefulGuard.Core.Cluster.StaticClusterView Cluster(int major, int minor) =>
        new() { ServerVersion = new StatefulGuard.Core.Cluster.ServerVersion(major, minor) };

    public static V1Container Container(V1StatefulSet sts, string name) =>
        sts.Spec.Template.Spec.Containers.Concat(sts.Spec.Template.Spec.InitContainers ?? []).Single(c => c.Name == name);

    public static JsonObject Container(string name, string image, params (string Name, int Port)[] ports)
    {
        var container = new JsonObject { ["name"] = name, ["image"] = image };
        if (ports.Length > 0)
        {
            container["ports"] = new JsonArray(ports.Select(p =>
            {
                var port = new JsonObject { ["containerPort"] = p.Port, ["protocol"] = "TCP" };
                if (p.Name.Length > 0)
                {
                    port["name"] = p.Name;
                }

                return (JsonNode)port;
            }).ToArray());
        }

        return container;
    }

    public static JsonNode Pod(JsonObject sts) => sts["spec"]!["template"]!["spec"]!;
}

/// <summary>Runs one validating rule with its default (or given) options.</summary>
internal static class Rule
{
    public static List<StatefulGuard.Core.Rules.Finding> Check<TRule>(V1StatefulSet sts, StatefulGuard.Core.Cluster.IClusterView? cluster = null,
        StatefulGuard.Core.Rules.RuleOptions? options = null)
        where TRule : StatefulGuard.Core.Rules.IValidatingRule, new()
    {
        var rule = new TRule();
        var context = new StatefulGuard.Core.Rules.RuleContext(StatefulGuard.Core.Admission.Operation.Create, sts.Metadata.NamespaceProperty ?? "shop", sts, null,
            cluster ?? new StatefulGuard.Core.Cluster.StaticClusterView());
        return rule.Validate(context, options ?? (StatefulGuard.Core.Rules.RuleOptions)Activator.CreateInstance(rule.OptionsType)!).ToList();
    }

    public static V1PodDisruptionBudget Budget(string name, V1LabelSelector? selector, string ns = "shop") => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = selector },
    };

    public static V1LabelSelector Labels(params (string Key, string Value)[] pairs) =>
        new() { MatchLabels = pairs.ToDictionary(p => p.Key, p => p.Value) };

    public static V1StorageClass StorageClass(string name, string mode, bool isDefault = false) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = isDefault ? new Dictionary<string, string> { ["storageclass.kubernetes.io/is-default-class"] = "true" } : null,
        },
        Provisioner = "ebs.csi.aws.com",
        VolumeBindingMode = mode,
    };
}
