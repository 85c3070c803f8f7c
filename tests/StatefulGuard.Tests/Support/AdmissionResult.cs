using System.Text;
using System.Text.Json.Nodes;

namespace StatefulGuard.Tests.Support;

/// <summary>A webhook answer, checked the way kube-apiserver checks it before it trusts one.</summary>
public sealed class AdmissionResult
{
    public AdmissionResult(int status, string body, JsonObject request)
    {
        Status = status;
        Body = body;
        Request = request;
    }

    public int Status { get; }

    public string Body { get; }

    public JsonObject Request { get; }

    public JsonObject Review => JsonNode.Parse(Body)!.AsObject();

    public JsonObject Response => Review["response"]!.AsObject();

    public bool Allowed => Response["allowed"]!.GetValue<bool>();

    public IReadOnlyList<string> Warnings =>
        Response["warnings"] is JsonArray warnings ? warnings.Select(w => w!.GetValue<string>()).ToArray() : [];

    public string? Message => Response["status"]?["message"]?.GetValue<string>();

    public int? Code => Response["status"]?["code"]?.GetValue<int>();

    public string? PatchJson =>
        Response["patch"] is JsonValue patch ? Encoding.UTF8.GetString(Convert.FromBase64String(patch.GetValue<string>())) : null;

    /// <summary>
    /// What kube-apiserver requires of a webhook response (admission/plugin/webhook/request): HTTP 200, the
    /// same apiVersion and kind, the request's uid, a status code of at least 400 on denial, a JSONPatch
    /// patchType with any patch; and what StatefulGuard promises: a message on every denial, no patch from
    /// /validate, short and few warnings.
    /// </summary>
    public AdmissionResult AssertWellFormed(bool validating = true)
    {
        Assert.True(Status == 200, $"HTTP {Status}: {Body}");
        var review = Review;
        Assert.Equal("admission.k8s.io/v1", review["apiVersion"]?.GetValue<string>());
        Assert.Equal("AdmissionReview", review["kind"]?.GetValue<string>());
        Assert.Equal(Request["request"]!["uid"]!.GetValue<string>(), Response["uid"]?.GetValue<string>());
        Assert.NotNull(Response["allowed"]);
        if (!Allowed)
        {
            Assert.True(Code >= 400, $"denial status code {Code}");
            Assert.False(string.IsNullOrWhiteSpace(Message));
        }

        if (Response["patch"] is not null)
        {
            Assert.False(validating, "/validate returned a patch");
            Assert.Equal("JSONPatch", Response["patchType"]?.GetValue<string>());
        }

        Assert.True(Warnings.Count <= 5, $"{Warnings.Count} warnings");
        Assert.All(Warnings, w => Assert.True(w.Length <= 120, $"warning too long ({w.Length}): {w}"));
        return this;
    }
}
