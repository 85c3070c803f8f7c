namespace StatefulGuard.Core.Rules.Storage;

/// <summary>
/// Every <c>volumeMounts[].name</c> and <c>volumeDevices[].name</c> names a pod volume or a
/// volumeClaimTemplate. The apiserver cannot check it for StatefulSets (claim templates become volumes only
/// in the pods), so a typo is otherwise found when the controller fails to create the first pod.
/// </summary>
public sealed class VolumeMounts : ValidatingRule<RuleOptions>
{
    public const string Id = "volume-mounts";

    public override RuleDescriptor Descriptor { get; } = new(
        Id, RuleKind.Validating, RuleAction.Deny,
        "every volumeMount names a pod volume or a volumeClaimTemplate")
    {
        Help = "The apiserver does not check StatefulSet volumeMounts against volumeClaimTemplates, so a misspelt name is only found when the controller fails to create the first pod. Every volumeMounts[].name and volumeDevices[].name must name a pod volume or a volumeClaimTemplate.",
        Category = "Storage",
        Severity = RuleSeverity.High,
    };

    protected override IEnumerable<Finding> Check(RuleContext context, RuleOptions options)
    {
        var spec = context.StatefulSet.Spec;
        var known = (spec?.Template?.Spec?.Volumes ?? []).Select(v => v?.Name)
            .Concat((spec?.VolumeClaimTemplates ?? []).Select(c => c?.Metadata?.Name))
            .OfType<string>()
            .Where(n => n.Length > 0)
            .ToHashSet(StringComparer.Ordinal);

        foreach (var container in TemplateContainer.Of(context.StatefulSet))
        {
            var mounts = container.Container.VolumeMounts ?? [];
            for (var i = 0; i < mounts.Count; i++)
            {
                if (mounts[i] is { } mount && !known.Contains(mount.Name ?? ""))
                {
                    yield return Unknown("unknown-volume", $"{container.Path}.volumeMounts[{i}].name", "volumeMount", mount.Name ?? "", container.Name, known);
                }
            }

            var devices = container.Container.VolumeDevices ?? [];
            for (var i = 0; i < devices.Count; i++)
            {
                if (devices[i] is { } device && !known.Contains(device.Name ?? ""))
                {
                    yield return Unknown("unknown-volume-device", $"{container.Path}.volumeDevices[{i}].name", "volumeDevice", device.Name ?? "", container.Name, known);
                }
            }
        }
    }

    private Finding Unknown(string code, string path, string what, string name, string container, HashSet<string> known)
    {
        var guess = Names.Closest(name, known);
        var fix = guess is not null
            ? $"did you mean \"{guess}\"? Otherwise add a volume or volumeClaimTemplate named \"{name}\""
            : known.Count > 0
                ? $"add a volume or volumeClaimTemplate named \"{name}\", or use one of: {string.Join(", ", known.Order(StringComparer.Ordinal))}"
                : $"add a volume or volumeClaimTemplate named \"{name}\"";
        return Violation(code, path, $"{what} \"{name}\" of container \"{container}\" names no volume or volumeClaimTemplate", fix)
            with { Summary = guess is not null ? $"{what} \"{name}\" names no volume; did you mean \"{guess}\"?" : $"{what} \"{name}\" names no volume or claim template" };
    }
}
