using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using StatefulGuard.Core.Engine;
using PatchDocumentOperation = Microsoft.AspNetCore.JsonPatch.SystemTextJson.Operations.Operation;

namespace StatefulGuard.Commands;

/// <summary>
/// Applies the engine's patch to a manifest as it was written (a JSON tree of the YAML), so that fields the API model
/// does not know survive <c>mutate</c>. The patch is applied by Microsoft.AspNetCore.JsonPatch.SystemTextJson, the same
/// RFC 6902 implementation the tests check the webhook's answers with.
/// </summary>
internal static class ManifestPatch
{
    public static void Apply(JsonNode document, IReadOnlyList<PatchOperation> operations)
    {
        if (operations.Count == 0)
        {
            return;
        }

        var patch = new JsonPatchDocument(
            operations.Select(o => new PatchDocumentOperation(o.Op, o.Path, from: null, value: o.Value?.DeepClone())).ToList(),
            KubeJson.SerializerOptions);
        patch.ApplyTo(document, error => throw new InvalidOperationException($"the patch does not apply at {error.Operation.path}: {error.ErrorMessage}"));
    }
}
