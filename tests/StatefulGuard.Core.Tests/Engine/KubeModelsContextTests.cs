using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Tests.Engine;

public sealed class KubeModelsContextTests
{
    /// <summary>The client's options with its own resolvers and converters only (as it sets them up): the reference for the JSON.</summary>
    private static readonly JsonSerializerOptions ClientOnly = ClientOwn();

    [Fact]
    public void The_kinds_statefulguard_reads_resolve_through_its_own_context_first()
    {
        foreach (var type in new[] { typeof(V1StatefulSet), typeof(V1ServiceList), typeof(V1Namespace), typeof(StatefulGuard.Core.Exceptions.StatefulGuardException), typeof(V1Container) })
        {
            Assert.Same(KubeModelsContext.Default, KubeJson.SerializerOptions.GetTypeInfo(type).OriginatingResolver);
        }

        // Kinds outside it still resolve, through the client's own context.
        Assert.NotNull(KubeJson.SerializerOptions.GetTypeInfo(typeof(V1Deployment)));
    }

    [Fact]
    public void The_clients_own_options_are_never_changed()
    {
        _ = KubeJson.SerializerOptions;
        JsonSerializerOptions? client = null;
        KubernetesJson.AddJsonOptions(o => client = o);

        Assert.NotSame(client, KubeJson.SerializerOptions);
        Assert.DoesNotContain(KubeModelsContext.Default, client!.TypeInfoResolverChain);
        Assert.DoesNotContain(KubeJson.Strings, client.Converters);
    }

    [Theory]
    [InlineData("statefulset-web.json", typeof(V1StatefulSet))]
    [InlineData("service-nginx.json", typeof(V1Service))]
    public void Reads_and_writes_exactly_the_json_of_the_clients_own_context(string fixture, Type type)
    {
        var json = Objects.Json(fixture).ToJsonString();

        var ours = JsonSerializer.Deserialize(json, type, KubeJson.SerializerOptions);
        var theirs = JsonSerializer.Deserialize(json, type, ClientOnly);

        Assert.Equal(JsonSerializer.Serialize(theirs, type, ClientOnly), JsonSerializer.Serialize(ours, type, KubeJson.SerializerOptions));
    }

    [Fact]
    public void Quantities_times_and_int_or_string_keep_the_clients_formats()
    {
        var json = """
            {"metadata":{"name":"web","creationTimestamp":"2024-05-01T10:00:00Z","deletionTimestamp":"2024-05-01T10:00:00.123456Z"},
             "spec":{"template":{"spec":{"containers":[{"name":"a","resources":{"limits":{"memory":"1Gi","cpu":"500m"}},
               "ports":[{"containerPort":80,"name":"http"}],"readinessProbe":{"tcpSocket":{"port":"http"}},"livenessProbe":{"tcpSocket":{"port":8080}}}]}}}}
            """;

        var written = JsonNode.Parse(JsonSerializer.Serialize(KubeJson.FromUtf8<V1StatefulSet>(System.Text.Encoding.UTF8.GetBytes(json)), KubeJson.SerializerOptions))!;

        var container = written["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("1Gi", container["resources"]!["limits"]!["memory"]!.GetValue<string>());
        Assert.Equal("500m", container["resources"]!["limits"]!["cpu"]!.GetValue<string>());
        Assert.Equal("http", container["readinessProbe"]!["tcpSocket"]!["port"]!.GetValue<string>());
        Assert.Equal(8080, container["livenessProbe"]!["tcpSocket"]!["port"]!.GetValue<int>());
        Assert.Equal("2024-05-01T10:00:00Z", written["metadata"]!["creationTimestamp"]!.GetValue<string>());
        Assert.Equal("2024-05-01T10:00:00.123456Z", written["metadata"]!["deletionTimestamp"]!.GetValue<string>());
    }

    [Fact]
    public void Watch_events_read_as_the_apiserver_writes_them()
    {
        var line = """{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop","resourceVersion":"7"},"spec":{"clusterIP":"None","selector":{"app":"web"}}}}""";

        var typed = StatefulGuard.Core.Cluster.Api.KindClient.ReadEvent<V1Service>(JsonDocument.Parse(line).RootElement, "Service", null)!.Value;

        Assert.Equal(StatefulGuard.Core.Cluster.Api.WatchEventType.Modified, typed.Type);
        Assert.Equal(("web", "None", "7"), (typed.Object!.Metadata.Name, typed.Object.Spec.ClusterIP, typed.ResourceVersion));
    }

    private static JsonSerializerOptions ClientOwn()
    {
        var options = new JsonSerializerOptions(KubeJson.SerializerOptions)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(SourceGenerationContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        Assert.True(options.Converters.Remove(KubeJson.Strings));
        return options;
    }
}
