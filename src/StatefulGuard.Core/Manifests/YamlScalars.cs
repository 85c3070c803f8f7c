using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace StatefulGuard.Core.Manifests;

/// <summary>
/// How kubectl's reader (sigs.k8s.io/yaml over go-yaml v2) types a scalar: the standard tags, then YAML 1.1
/// resolution of plain scalars. Used to read manifests and, the other way round, to know when a string must be
/// quoted to be read back as a string.
/// </summary>
internal static partial class YamlScalars
{
    /// <summary>A scalar as kubectl reads it: the standard tags honoured, else YAML 1.1 resolution of plain scalars.</summary>
    internal static JsonValue? Resolve(Scalar scalar)
    {
        var value = scalar.Value;
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        switch (tag)
        {
            case null:
                break;
            case "!" or "tag:yaml.org,2002:str":
                // The non-specific tag "!" makes a scalar a string whatever it looks like (YAML 1.1 and 1.2; kubectl too):
                // "! 5" is the text 5.
                return JsonValue.Create(value);
            case "tag:yaml.org,2002:binary":
                // Decoded, as kubectl does; a value that is not text cannot be carried by JSON.
                try
                {
                    var bytes = Convert.FromBase64String(string.Concat(value.Where(c => !char.IsWhiteSpace(c))));
                    return JsonValue.Create(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException)
                {
                    throw new ManifestLimitException(scalar.Start, "a !!binary value that is not base64 of UTF-8 text");
                }

            case "tag:yaml.org,2002:null":
                return null;
            case "tag:yaml.org,2002:bool" or "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float":
                var typed = Plain(value, scalar.Start);
                var kind = typed?.GetValueKind();
                var fits = tag switch
                {
                    "tag:yaml.org,2002:bool" => kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
                    _ => kind is System.Text.Json.JsonValueKind.Number,
                };
                return fits ? typed : throw new ManifestLimitException(scalar.Start, $"\"{Short(value)}\" is not a valid {tag[18..]}");
            default:
                // Custom tags (!Ref, !!set ...) mean nothing to the Kubernetes API: read the value as it is written.
                break;
        }

        return scalar.Style is ScalarStyle.Plain ? Plain(value, scalar.Start) : JsonValue.Create(value);
    }

    /// <summary>
    /// A plain scalar under YAML 1.1 as kubectl's reader (sigs.k8s.io/yaml over go-yaml v2) resolves it: null and
    /// the YAML 1.1 booleans; for text starting with a digit, sign or point, an integer as Go's ParseInt/ParseUint read
    /// it with base prefixes (0x, 0o, 0b, a leading 0 for octal; underscores dropped), else a float in YAML's form; else
    /// a string. Numbers are kept exactly as the text gives them, whatever their size.
    /// </summary>
    private static JsonValue? Plain(string value, Mark at)
    {
        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N":
                return JsonValue.Create(false);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" or "-.inf" or "-.Inf" or "-.INF" or ".nan" or ".NaN" or ".NAN":
                throw new ManifestLimitException(at, $"{value} is a YAML float that JSON, and so the Kubernetes API, cannot carry; quote it for a string");
        }

        if (value.Length == 0 || value.Length > 1024 || !(char.IsAsciiDigit(value[0]) || value[0] is '-' or '+' or '.'))
        {
            return JsonValue.Create(value);
        }

        var plain = value.Replace("_", "", StringComparison.Ordinal);
        if (value[0] != '.' && plain.Length > 0 && Integer(plain) is { } integer)
        {
            return integer;
        }

        // Go's ParseFloat fails on a value out of range: kubectl then keeps the text as a string.
        return FloatPattern().IsMatch(value[0] == '.' ? value : plain)
               && double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? (JsonValue)JsonNode.Parse(Number(plain))!
            : JsonValue.Create(value);
    }

    /// <summary>An integer as Go's ParseInt (base 0), then ParseUint, read it; null when neither does.</summary>
    private static JsonValue? Integer(string plain)
    {
        var signed = plain[0] is '-' or '+';
        var negative = plain[0] == '-';
        var text = signed ? plain[1..] : plain;
        var (radix, digits) = text.Length switch
        {
            > 2 when text[0] == '0' && text[1] is 'x' or 'X' => (16, text[2..]),
            > 2 when text[0] == '0' && text[1] is 'o' or 'O' => (8, text[2..]),
            > 2 when text[0] == '0' && text[1] is 'b' or 'B' => (2, text[2..]),
            > 1 when text[0] == '0' => (8, text[1..]),
            _ => (10, text),
        };
        if (digits.Length == 0)
        {
            return null;
        }

        var number = BigInteger.Zero;
        foreach (var c in digits)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => int.MaxValue,
            };
            if (digit >= radix)
            {
                return null;
            }

            number = number * radix + digit;
        }

        if (negative)
        {
            number = -number;
        }

        if (number >= long.MinValue && number <= long.MaxValue)
        {
            return JsonValue.Create((long)number);
        }

        return !signed && number <= ulong.MaxValue ? JsonValue.Create((ulong)number) : null;
    }

    /// <summary>A YAML float as JSON number text: underscores dropped, a leading or trailing point completed.</summary>
    private static string Number(string value)
    {
        var text = value.Replace("_", "", StringComparison.Ordinal).TrimStart('+');
        var sign = text.StartsWith('-') ? "-" : "";
        text = text.TrimStart('-');
        if (text.StartsWith('.'))
        {
            text = "0" + text;
        }

        text = text.Replace(".e", ".0e", StringComparison.Ordinal).Replace(".E", ".0E", StringComparison.Ordinal);
        if (text.EndsWith('.'))
        {
            text += "0";
        }

        // JSON allows no leading zeros in the integer part.
        var point = text.IndexOfAny(['.', 'e', 'E']);
        var whole = (point < 0 ? text : text[..point]).TrimStart('0');
        return sign + (whole.Length == 0 ? "0" : whole) + (point < 0 ? "" : text[point..]);
    }

    /// <summary>Whether a string would be read back as something else when written as a plain YAML scalar.</summary>
    public static bool NeedsQuotes(string value)
    {
        try
        {
            return Plain(value, Mark.Empty) is not { } read || read.GetValueKind() != System.Text.Json.JsonValueKind.String;
        }
        catch (ManifestLimitException)
        {
            return true;
        }
    }

    private static string Short(string value) => value.Length > 40 ? value[..40] + "…" : value;

    /// <summary>go-yaml v2's yamlStyleFloat.</summary>
    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z")]
    private static partial Regex FloatPattern();
}
