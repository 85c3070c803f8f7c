using System.Globalization;
using System.Text.RegularExpressions;

namespace StatefulGuard.Core.Cluster;

/// <summary>The apiserver's Kubernetes version, as <c>/version</c> reports it.</summary>
public sealed partial record ServerVersion(int Major, int Minor)
{
    /// <summary>Reads "v1.31.2", "1.31", or major "1" with minor "31+" (as managed clusters report it).</summary>
    public static ServerVersion? Parse(string? gitVersion, string? major = null, string? minor = null)
    {
        var match = gitVersion is null ? null : VersionPattern().Match(gitVersion);
        if (match is { Success: true })
        {
            return new ServerVersion(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        }

        var majorDigits = Digits(major);
        var minorDigits = Digits(minor);
        return majorDigits is not null && minorDigits is not null ? new ServerVersion(majorDigits.Value, minorDigits.Value) : null;
    }

    public bool AtLeast(int major, int minor) => Major > major || (Major == major && Minor >= minor);

    public override string ToString() => $"{Major}.{Minor}";

    private static int? Digits(string? value)
    {
        var digits = new string((value ?? "").TakeWhile(char.IsAsciiDigit).ToArray());
        return digits.Length > 0 ? int.Parse(digits, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"^v?(\d+)\.(\d+)")]
    private static partial Regex VersionPattern();
}
