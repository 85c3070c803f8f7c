namespace StatefulGuard.Core.Rules.Workload;

/// <summary>No <c>:latest</c> or untagged image: every restart of a replica could run different code than its peers.</summary>
public sealed class ImageTag : ValidatingRule<RuleOptions>
{
    public const string Id = "image-tag";

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Warn,
        "no :latest or untagged container images")
    {
        Help = "An untagged or :latest image resolves to whatever the registry holds when a pod restarts, so replicas of one database can run different versions. Pin a version tag or a digest.",
        Category = "Workload",
        Severity = RuleSeverity.Medium,
    };

    protected override IEnumerable<Finding> Check(RuleContext context, RuleOptions options)
    {
        foreach (var container in TemplateContainer.Of(context.StatefulSet))
        {
            var image = container.Container.Image ?? "";
            var tag = Tag(image);
            if (tag is null or "latest")
            {
                yield return Violation(tag is null ? "untagged" : "latest", $"{container.Path}.image",
                    $"container \"{container.Name}\" runs \"{image}\" {(tag is null ? "without a tag" : "with tag latest")}: replicas may run different code",
                    "pin a version tag or a digest (image@sha256:…)")
                    with { Summary = $"container \"{container.Name}\" image {(tag is null ? "has no tag" : "uses :latest")}; pin a version or digest" };
            }
        }
    }

    /// <summary>The tag of an image reference; "@digest" when pinned by digest; null when there is none.</summary>
    internal static string? Tag(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "@digest";
        }

        // A colon before the last slash belongs to a registry host:port, not a tag.
        var lastSlash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > lastSlash ? image[(colon + 1)..] : null;
    }
}
