using FluentValidation;

namespace StatefulGuard.Configuration;

/// <summary>Finds configuration keys that no options property receives: a typo must not be silently ignored.</summary>
internal static class UnknownKeys
{
    public static IEnumerable<string> Find(IConfigurationSection section, Type type, string? ignore = null)
    {
        var properties = type.GetProperties().Where(p => p.CanWrite)
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
            else if (propertyType.IsClass && propertyType != typeof(string))
            {
                foreach (var nested in Find(child, propertyType))
                {
                    yield return nested;
                }
            }
        }
    }
}
