using System.Buffers;
using System.Text;
using System.Text.Json;
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
        var review = AdmissionReviewReader.Parse(Body(Review), out var document);
        using (document)
        {
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
            Assert.Equal(1, request.OldObject!.Value.GetProperty("metadata").GetProperty("generation").GetInt32());
            Assert.Equal("web", request.Object!.Value.GetProperty("metadata").GetProperty("name").GetString());
            Assert.Equal("UpdateOptions", request.Options!.Value.GetProperty("kind").GetString());
        }
    }

    [Fact]
    public void Reads_a_body_split_across_buffers()
    {
        var bytes = Encoding.UTF8.GetBytes(Review);
        var first = new Segment(bytes.AsMemory(0, 100));
        var last = first.Append(bytes.AsMemory(100));

        var review = AdmissionReviewReader.Parse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), out var document);
        using (document)
        {
            Assert.Equal("web", review.Request!.Object!.Value.GetProperty("metadata").GetProperty("name").GetString());
        }
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
        var error = Assert.Throws<JsonException>(() => AdmissionReviewReader.Parse(Body(json), out _));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("""{"request":{"uid":"a","uid":"b"}}""")]
    [InlineData("""{"request":{"object":{"metadata":{"name":"a","name":"b"}}}}""")]
    public void Duplicate_keys_anywhere_are_rejected(string json) =>
        Assert.ThrowsAny<JsonException>(() => AdmissionReviewReader.Parse(Body(json), out _));

    [Fact]
    public void Nesting_deeper_than_the_limit_is_rejected()
    {
        var json = """{"request":{"object":""" + string.Concat(Enumerable.Repeat("""{"a":""", 200)) + "1" + new string('}', 200) + "}}";

        Assert.ThrowsAny<JsonException>(() => AdmissionReviewReader.Parse(Body(json), out _));
    }

    [Fact]
    public void Null_fields_read_as_absent()
    {
        var review = AdmissionReviewReader.Parse(Body("""{"kind":null,"request":{"uid":null,"object":null,"dryRun":null,"userInfo":null}}"""), out var document);
        using (document)
        {
            Assert.Null(review.Kind);
            Assert.Equal((null, null, null, null), (review.Request!.Uid, review.Request.Object, review.Request.DryRun, review.Request.UserInfo));
        }
    }

    private static ReadOnlySequence<byte> Body(string json) => new(Encoding.UTF8.GetBytes(json));

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
