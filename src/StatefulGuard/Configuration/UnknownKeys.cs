using System.Text.Json.Serialization.Metadata;

namespace StatefulGuard.Configuration;

/// <summary>Finds configuration keys that no options property receives: a typo must not be silently ignored.</summary>
/// <remarks>
/// The options' shape (which properties can be set, and of what type) is read from <see cref="OptionsShapeContext"/>,
/// metadata written at compile time, so the native build sees the same properties as the JIT build.
/// </remarks>
internal static class UnknownKeys
{
    public static IEnumerable<string> Find(IConfigurationSection section, JsonTypeInfo type, string? ignore = null)
    {
        var properties = type.Properties.Where(p => p.Set is not null)
            .ToDictionary(p => p.Name, p => p.PropertyType, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (string.Equals(child.Key, ignore, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!properties.TryGetValue(child.Key, out var propertyType))
            {
                yield return child.Path;
            }
            else if (propertyType.IsArray)
            {
                // A list's entries are keyed by index: 0, 1, ...
                foreach (var entry in child.GetChildren().Where(e => !int.TryParse(e.Key, System.Globalization.CultureInfo.InvariantCulture, out _)))
                {
                    yield return entry.Path;
                }
            }
            else if (type.Options.GetTypeInfo(propertyType) is { Kind: JsonTypeInfoKind.Object } nested)
            {
                foreach (var key in Find(child, nested))
                {
                    yield return key;
                }
            }
        }
    }
}
