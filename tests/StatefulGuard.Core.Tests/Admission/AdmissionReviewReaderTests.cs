using System.Text;
using System.Text.Json;
using k8s.Models;
using StatefulGuard.Core.Admission;

namespace StatefulGuard.Core.Tests.Admission;

public sealed class AdmissionReviewReaderTests
{
    private const string Review = """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
          "uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
          "kind":{"group":"apps","version":"v1","kind":"StatefulSet"},
          "resource":{"group":"apps","version":"v1","resource":"statefulsets"},
          "requestKind":{"group":"apps","version":"v1","kind":"StatefulSet"},
          "requestResource":{"group":"apps","version":"v1","resource":"statefulsets"},
          "name":"web","namespace":"shop","operation":"UPDATE",
          "userInfo":{"username":"admin","uid":"u-1","groups":["system:masters"],"extra":{"k":["v"]}},
          "object":{"metadata":{"name":"web"}},"oldObject":{"metadata":{"name":"web","generation":1}},
          "dryRun":true,"options":{"kind":"UpdateOptions"},"somethingNew":{"a":[1,2]}}}
        """;

    [Fact]
    public void Reads_every_field_the_apiserver_sends_and_ignores_unknown_ones()
    {
        var review = AdmissionReviewReader.Parse(Body(Review));

        var request = review.Request!;
        Assert.Equal((AdmissionReview.V1, AdmissionReview.ReviewKind), (review.ApiVersion, review.Kind));
        Assert.Equal(("705ab4f5-6393-11e8-b7cc-42010a800002", "web", "shop", "UPDATE", true),
            (request.Uid, request.Name, request.Namespace, request.Operation, request.DryRun));
        Assert.Equal(("apps", "StatefulSet"), (request.Kind!.Group, request.Kind.Kind));
        Assert.Equal("statefulsets", request.Resource!.Resource);
        Assert.Equal("StatefulSet", request.RequestKind!.Kind);
        Assert.Equal("statefulsets", request.RequestResource!.Resource);
        Assert.Equal(("apps", "v1", "statefulsets"), (request.Resource.Group, request.Resource.Version, request.Resource.Resource));
        Assert.Equal(("apps", "v1", "StatefulSet"), (request.Kind.Group, request.Kind.Version, request.Kind.Kind));
        Assert.Equal(("admin", "u-1"), (request.UserInfo!.Username, request.UserInfo.Uid));
        Assert.Equal(["system:masters"], request.UserInfo.Groups!);
        Assert.Equal(["v"], request.UserInfo.Extra!["k"]);
        using var old = request.OldObject!.Value.Parse();
        using var current = request.Object!.Value.Parse();
        using var options = request.Options!.Value.Parse();
        Assert.Equal(1, old.RootElement.GetProperty("metadata").GetProperty("generation").GetInt32());
        Assert.Equal("web", current.RootElement.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal("UpdateOptions", options.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public void Raw_values_are_the_exact_bytes_of_the_body_with_their_kind()
    {
        var review = AdmissionReviewReader.Parse(Body("""{"request":{"object": {"metadata" : {"name":"web"}} ,"oldObject":"text","options":[1, 2]}}"""));

        var request = review.Request!;
        Assert.Equal(("""{"metadata" : {"name":"web"}}""", JsonValueKind.Object), (Encoding.UTF8.GetString(request.Object!.Value.Utf8.Span), request.Object.Value.ValueKind));
        Assert.Equal(("\"text\"", JsonValueKind.String), (Encoding.UTF8.GetString(request.OldObject!.Value.Utf8.Span), request.OldObject.Value.ValueKind));
        Assert.Equal(("[1, 2]", JsonValueKind.Array), (Encoding.UTF8.GetString(request.Options!.Value.Utf8.Span), request.Options.Value.ValueKind));
    }

    [Theory]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","request":{"uid":42}}""", "$.request.uid must be a string, got a number")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","request":{"dryRun":"yes"}}""", "$.request.dryRun must be true or false, got a string")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","request":{"kind":"StatefulSet"}}""", "$.request.kind must be an object, got a string")]
    [InlineData("""{"request":{"resource":{"group":"apps","resource":7}}}""", "$.request.resource.resource must be a string, got a number")]
    [InlineData("""{"request":{"requestKind":{"kind":true}}}""", "$.request.requestKind.kind must be a string, got a boolean")]
    [InlineData("""{"request":{"userInfo":{"username":"a","groups":"system:masters"}}}""", "$.request.userInfo.groups must be an array of strings, got a string")]
    [InlineData("""{"request":{"userInfo":{"groups":["a",1]}}}""", "$.request.userInfo.groups[1] must be a string, got a number")]
    [InlineData("""{"request":{"userInfo":{"extra":{"scopes":[{}]}}}}""", "$.request.userInfo.extra.scopes[0] must be a string, got an object")]
    [InlineData("""{"request":{"userInfo":{"extra":[]}}}""", "$.request.userInfo.extra must be an object, got an array")]
    [InlineData("""{"apiVersion":["admission.k8s.io/v1"]}""", "$.apiVersion must be a string, got an array")]
    [InlineData("""{"request":[]}""", "$.request must be an object, got an array")]
    [InlineData("""[]""", "$ must be an object, got an array")]
    [InlineData("""null""", "$ must be an object, got null")]
    public void Wrongly_typed_fields_are_named_in_the_error(string json, string message)
    {
        var error = Assert.Throws<JsonException>(() => AdmissionReviewReader.Parse(Body(json)));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Raw_values_round_trip_through_the_serialization_context()
    {
        var review = AdmissionReviewReader.Parse(Body("""{"request":{"uid":"u","object":{"metadata":{"name":"web"}},"options":[1]}}"""));

        var json = JsonSerializer.Serialize(review, AdmissionJsonContext.Default.AdmissionReview);
        var again = JsonSerializer.Deserialize(json, AdmissionJsonContext.Default.AdmissionReview)!;

        Assert.Contains("\"object\":{\"metadata\":{\"name\":\"web\"}}", json, StringComparison.Ordinal);
        Assert.Equal("""{"metadata":{"name":"web"}}""", Encoding.UTF8.GetString(again.Request!.Object!.Value.Utf8.Span));
        Assert.Equal((JsonValueKind.Object, JsonValueKind.Array), (again.Request.Object.Value.ValueKind, again.Request.Options!.Value.ValueKind));
        Assert.Null(again.Request.OldObject);
    }

    [Theory]
    [InlineData("""{"request":{"uid":"a","uid":"b"}}""", "$.request.uid is given twice")]
    [InlineData("""{"request":{"uid":"a","\u0075id":"b"}}""", "$.request.uid is given twice")]
    [InlineData("""{"kind":"AdmissionReview","request":{},"kind":"AdmissionReview"}""", "$.kind is given twice")]
    [InlineData("""{"request":{"kind":{"group":"apps","group":""}}}""", "$.request.kind.group is given twice")]
    [InlineData("""{"request":{"future":1,"future":{}}}""", "$.request.future is given twice")]
    [InlineData("""{"request":{"userInfo":{"extra":{"k":["a"],"k":["b"]}}}}""", "$.request.userInfo.extra.k is given twice")]
    public void Keys_given_twice_in_the_envelope_are_rejected(string json, string message)
    {
        var error = Assert.Throws<JsonException>(() => AdmissionReviewReader.Parse(Body(json)));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"a","name":"b"}}""")]
    [InlineData("""{"metadata":{"labels":{"app":"a","app":"b"}}}""")]
    [InlineData("""{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x","image":"y"}]}}}}""")]
    public void Keys_given_twice_in_the_object_are_rejected_when_it_is_read(string json)
    {
        var request = AdmissionReviewReader.Parse(Body("""{"request":{"object":""" + json + "}}")).Request!;

        Assert.ThrowsAny<JsonException>(() => AdmissionObjects.Deserialize<V1StatefulSet>(request.Object!.Value));
    }

    [Theory]
    [InlineData("""{"request":{}} {}""")]
    [InlineData("""{"request":{}}]""")]
    [InlineData("""{"request":{"object":{"a":1}""")]
    [InlineData("")]
    public void Anything_but_exactly_one_complete_value_is_rejected(string json) =>
        Assert.ThrowsAny<JsonException>(() => AdmissionReviewReader.Parse(Body(json)));

    [Fact]
    public void Nesting_deeper_than_the_limit_is_rejected()
    {
        var json = """{"request":{"object":""" + string.Concat(Enumerable.Repeat("""{"a":""", 200)) + "1" + new string('}', 200) + "}}";

        Assert.ThrowsAny<JsonException>(() => AdmissionReviewReader.Parse(Body(json)));
    }

    [Theory]
    [InlineData("""{"request":{"uid":"ab"}}""")]
    [InlineData("""{"request":{"userInfo":{"groups":["ab"]}}}""")]
    [InlineData("""{"request":{"uid":"c","ab":1}}""")]
    public void Invalid_utf8_in_the_envelope_is_a_json_error(string json)
    {
        var body = Body(json);
        var index = Array.IndexOf(body, (byte)'a');
        body[index] = 0xC3; // starts a two-byte sequence
        body[index + 1] = 0x28; // that is not continued

        Assert.ThrowsAny<JsonException>(() => AdmissionReviewReader.Parse(body));
    }

    [Fact]
    public void Null_fields_read_as_absent()
    {
        var review = AdmissionReviewReader.Parse(Body("""{"kind":null,"request":{"uid":null,"object":null,"dryRun":null,"userInfo":null}}"""));

        Assert.Null(review.Kind);
        Assert.Equal((null, null, null, null), (review.Request!.Uid, review.Request.Object, review.Request.DryRun, review.Request.UserInfo));
    }

    private const string Template = """{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"x"}]}}""";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_statefulset_is_read_with_its_template_json_whether_the_kind_comes_before_the_object_or_after(bool kindFirst)
    {
        const string Kind = "\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"StatefulSet\"}";
        const string Object = "\"object\":{\"metadata\":{\"name\":\"web\",\"managedFields\":[{\"manager\":\"kubectl\"}]},\"spec\":{\"replicas\":2,\"template\":" + Template + "}}";
        var request = AdmissionReviewReader.Parse(Body("{\"request\":{" + (kindFirst ? Kind + "," + Object : Object + "," + Kind) + "}}")).Request!;

        // Read in the envelope's pass when the kind came first (the apiserver's order), from the object's bytes otherwise.
        Assert.Equal(kindFirst, request.Object!.Value.StatefulSet is not null);
        var statefulSet = AdmissionObjects.ReadStatefulSet(request.Object.Value, out var template);

        Assert.Equal(("web", 2), (statefulSet.Metadata.Name, statefulSet.Spec.Replicas));
        Assert.Null(statefulSet.Metadata.ManagedFields);
        Assert.Equal(Template, Encoding.UTF8.GetString(template.Span));
        Assert.Same(statefulSet, AdmissionObjects.Deserialize<V1StatefulSet>(request.Object.Value) is var again && kindFirst ? again : statefulSet);
    }

    [Fact]
    public void A_statefulset_that_does_not_read_as_one_is_kept_as_bytes_for_the_handler_to_report()
    {
        var json = """{"request":{"kind":{"group":"apps","version":"v1","kind":"StatefulSet"},"object":{"spec":{"replicas":"three"}},"uid":"u"}}""";

        var request = AdmissionReviewReader.Parse(Body(json)).Request!;

        Assert.Equal("u", request.Uid);
        Assert.Null(request.Object!.Value.StatefulSet);
        Assert.Equal("""{"spec":{"replicas":"three"}}""", Encoding.UTF8.GetString(request.Object.Value.Utf8.Span));
        Assert.ThrowsAny<JsonException>(() => AdmissionObjects.ReadStatefulSet(request.Object.Value, out _));
    }

    [Fact]
    public void A_wrongly_typed_value_in_the_template_is_reported_with_its_full_path()
    {
        var json = """{"request":{"kind":{"group":"apps","version":"v1","kind":"StatefulSet"},"object":{"spec":{"template":{"spec":{"containers":[{"name":"c","ports":[{"containerPort":"eighty"}]}]}}}}}}""";
        var request = AdmissionReviewReader.Parse(Body(json)).Request!;

        var error = Assert.ThrowsAny<JsonException>(() => AdmissionObjects.ReadStatefulSet(request.Object!.Value, out _));

        Assert.Equal("$.spec.template.spec.containers[0].ports[0].containerPort", error.Path);
    }

    [Fact]
    public void For_mutation_only_the_metadata_selector_and_pod_template_are_read_and_the_rest_is_skipped_unchecked()
    {
        const string Kind = "\"kind\":{\"group\":\"apps\",\"version\":\"v1\",\"kind\":\"StatefulSet\"}";
        var json = "{\"request\":{" + Kind + ",\"object\":{\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"web\",\"annotations\":{\"a\":\"b\"}},"
                   + "\"spec\":{\"replicas\":\"three\",\"serviceName\":\"web\",\"serviceName\":\"db\",\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":" + Template + ","
                   + "\"volumeClaimTemplates\":[{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}]},\"status\":{\"replicas\":{}}}}}";

        var whole = AdmissionReviewReader.Parse(Body(json)).Request!;
        var request = AdmissionReviewReader.Parse(Body(json), ObjectParts.Mutation).Request!;

        // The whole object does not read (a string for a number, a key given twice); what mutation reads does.
        Assert.Null(whole.Object!.Value.StatefulSet);
        var statefulSet = AdmissionObjects.ReadStatefulSet(request.Object!.Value, out var template);
        Assert.Equal(("apps/v1", "web", "b"), (statefulSet.ApiVersion, statefulSet.Metadata.Name, statefulSet.Metadata.Annotations["a"]));
        Assert.Equal(Template, Encoding.UTF8.GetString(template.Span));
        Assert.NotNull(statefulSet.Spec.Template.Spec.Containers);
        Assert.Equal("web", statefulSet.Spec.Selector.MatchLabels["app"]);
        Assert.Equal((null, null, null, null), (statefulSet.Spec.Replicas, statefulSet.Spec.ServiceName, statefulSet.Spec.VolumeClaimTemplates, statefulSet.Status));
    }

    [Fact]
    public void For_mutation_a_wrongly_typed_template_still_fails_and_is_reported_with_its_full_path()
    {
        var json = """{"request":{"kind":{"group":"apps","version":"v1","kind":"StatefulSet"},"object":{"spec":{"template":{"spec":{"containers":[{"name":"c","ports":[{"containerPort":"eighty"}]}]}}}}}}""";

        var request = AdmissionReviewReader.Parse(Body(json), ObjectParts.Mutation).Request!;

        Assert.Null(request.Object!.Value.StatefulSet);
        var error = Assert.ThrowsAny<JsonException>(() => AdmissionObjects.ReadStatefulSet(request.Object!.Value, out _));
        Assert.Equal("$.spec.template.spec.containers[0].ports[0].containerPort", error.Path);
    }

    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);
}
