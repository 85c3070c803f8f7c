using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Core.Tests.Engine;

/// <summary>The patch for what was added to a typed object, against the JSON it was read from.</summary>
public sealed class AddedMembersTests
{
    [Fact]
    public void A_member_that_is_new_is_added_whole_under_its_json_name()
    {
        var (container, json) = Read("""{"name":"db","image":"postgres:16","ports":[{"containerPort":5432}]}""");
        container.ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = 5432 }, PeriodSeconds = 10 };

        var operation = Assert.Single(Collect(container, json, "/spec/template/spec/containers/0"));

        Assert.Equal(PatchOperation.Add, operation.Op);
        Assert.Equal("/spec/template/spec/containers/0/readinessProbe", operation.Path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"periodSeconds":10,"tcpSocket":{"port":5432}}"""), operation.Value));
    }

    [Fact]
    public void A_member_added_inside_an_existing_object_is_added_there_and_the_user_values_beside_it_are_left_alone()
    {
        var (container, json) = Read("""{"name":"db","securityContext":{"runAsUser":999}}""");
        container.SecurityContext.AllowPrivilegeEscalation = false;

        var operation = Assert.Single(Collect(container, json, ""));

        Assert.Equal("/securityContext/allowPrivilegeEscalation", operation.Path);
        Assert.Equal("false", operation.Value!.ToJsonString());
    }

    [Fact]
    public void A_member_sent_as_null_is_added()
    {
        var (container, json) = Read("""{"name":"db","lifecycle":null}""");
        container.Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 5 } } };

        var operation = Assert.Single(Collect(container, json, ""));

        Assert.Equal("/lifecycle", operation.Path);
        Assert.Equal("""{"preStop":{"sleep":{"seconds":5}}}""", operation.Value!.ToJsonString());
    }

    [Fact]
    public void Members_the_model_does_not_know_and_values_on_both_sides_give_no_operation()
    {
        var (pod, json) = Read<V1PodSpec>("""{"futureField":{"x":1},"containers":[{"name":"db","futureToo":[1]}],"terminationGracePeriodSeconds":30,"nodeSelector":{"disk":"ssd"}}""");

        Assert.Empty(Collect(pod, json, ""));
    }

    [Fact]
    public void Items_of_a_list_of_the_same_length_are_descended_into_by_index()
    {
        var (pod, json) = Read<V1PodSpec>("""{"containers":[{"name":"a"},{"name":"b","ports":[{"containerPort":80}]}]}""");
        pod.Containers[1].Ports[0].Name = "http";

        var operation = Assert.Single(Collect(pod, json, "/spec"));

        Assert.Equal("/spec/containers/1/ports/0/name", operation.Path);
    }

    [Fact]
    public void A_list_that_changed_length_is_added_whole_which_replaces_it()
    {
        var (pod, json) = Read<V1PodSpec>("""{"containers":[{"name":"a"}],"topologySpreadConstraints":[]}""");
        pod.TopologySpreadConstraints = [new V1TopologySpreadConstraint { MaxSkew = 1, TopologyKey = "kubernetes.io/hostname", WhenUnsatisfiable = "ScheduleAnyway" }];

        var operation = Assert.Single(Collect(pod, json, ""));

        Assert.Equal("/topologySpreadConstraints", operation.Path);
        Assert.Single(operation.Value!.AsArray());
    }

    [Fact]
    public void A_new_map_key_is_added_with_its_name_escaped()
    {
        var (meta, json) = Read<V1ObjectMeta>("""{"annotations":{"a":"1"}}""");
        meta.Annotations["example.com/owner~team"] = "db";

        var operation = Assert.Single(Collect(meta, json, "/metadata"));

        Assert.Equal("/metadata/annotations/example.com~1owner~0team", operation.Path);
        Assert.Equal("\"db\"", operation.Value!.ToJsonString());
    }

    [Fact]
    public void Member_names_written_with_escapes_are_recognised()
    {
        var (container, json) = Read("""{"n\u0061me":"db","securityContext":{"runAsUser":1,"\u0070rivileged":false},"aVeryLongMemberNameThatNoModelHasAndThatIsLongerThanAnyNameTheLookupKeeps":{"x":1}}""");
        container.SecurityContext.AllowPrivilegeEscalation = false;

        var operation = Assert.Single(Collect(container, json, ""));

        Assert.Equal("/securityContext/allowPrivilegeEscalation", operation.Path);
    }

    [Fact]
    public void A_key_added_to_a_map_that_was_sent_with_a_null_value_is_found()
    {
        var (meta, json) = Read<V1ObjectMeta>("""{"labels":{"a":"1","b":null}}""");
        meta.Labels["c"] = "3";

        var operation = Assert.Single(Collect(meta, json, ""));

        Assert.Equal("/labels/c", operation.Path);
    }

    [Fact]
    public void A_map_with_many_keys_is_walked_without_quadratic_work()
    {
        // 200,000 labels: scanning the JSON for each key would take minutes; lookups take well under a second.
        var labels = new JsonObject();
        for (var i = 0; i < 200_000; i++)
        {
            labels["k" + i] = "v";
        }

        var (meta, json) = Read<V1ObjectMeta>(new JsonObject { ["labels"] = labels }.ToJsonString());
        meta.Labels["added"] = "x";

        var operation = Assert.Single(Collect(meta, json, ""));

        Assert.Equal("/labels/added", operation.Path);
    }

    private static (V1Container, byte[]) Read(string json) => Read<V1Container>(json);

    private static (T, byte[]) Read<T>(string json) => (KubernetesJson.Deserialize<T>(json), System.Text.Encoding.UTF8.GetBytes(json));

    private static List<PatchOperation> Collect(object after, byte[] before, string basePath)
    {
        var operations = new List<PatchOperation>();
        AddedMembers.Collect(after, before, basePath, operations);
        return operations;
    }
}
