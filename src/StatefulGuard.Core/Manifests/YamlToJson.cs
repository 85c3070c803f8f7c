using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace StatefulGuard.Core.Manifests;

/// <summary>One YAML document read as JSON: its root (null for an empty document), first line and field lines, or why it could not be read.</summary>
/// <param name="Lines">The line of every field and list item, by field path as findings name them (<c>spec.template.spec.containers[0].image</c>).</param>
/// <summary>One item of a <c>kind: List</c>, handed over as soon as it is read: its node, the lines of its fields (paths from the item), its line.</summary>
public sealed record ListItem(JsonNode? Node, LineIndex Lines, int Line);

public sealed record YamlDocumentRead(JsonNode? Root, int Line, LineIndex Lines, int ErrorLine = 0, string? Error = null)
{
    /// <summary>Where the document ends (1-based line and column): where what follows it (the next <c>---</c>, or the end) starts.</summary>
    public (int Line, int Column) End { get; init; }
}

/// <summary>
/// Reads YAML into JSON the way kubectl does (YAML 1.1 scalars as sigs.k8s.io/yaml resolves them, merge keys, the
/// standard tags), from the parser's events, so that every bound holds <em>while parsing</em>, before any tree is
/// built: nesting depth, alias expansion (count and expanded size), scalar size. No input can overflow the stack or
/// exhaust memory: the work is linear in the input, and alias expansion is bounded relative to it.
/// </summary>
public sealed partial class YamlToJson
{
    public const int MaxDepth = 128;

    /// <summary>A scalar larger than any object the apiserver stores (its limit is about 1.5 MB).</summary>
    public const int MaxScalarLength = 16 * 1024 * 1024;

    /// <summary>Alias expansion allowed beyond what the text itself holds: at least this many nodes ...</summary>
    public const long MinAliasBudget = 100_000;

    /// <summary>... and otherwise this many times the nodes and characters read from the text.</summary>
    public const int AliasRatio = 10;

    private LineIndex lines = new();

    /// <summary>Where a List's items go as they are read (null: they stay in the List).</summary>
    private readonly Action<ListItem>? listItems;
    private readonly Dictionary<AnchorName, (JsonNode? Node, long Nodes, long Chars)> anchors = [];
    private long readNodes;
    private long readChars;
    private long aliasNodes;
    private long aliasChars;

    private readonly int lineOffset;

    /// <summary>Where the last event read starts: where to report a failure of the YAML library itself.</summary>
    private Mark last = Mark.Empty;

    private YamlToJson(int lineOffset, Action<ListItem>? listItems)
    {
        this.lineOffset = lineOffset;
        this.listItems = listItems;
    }

    /// <summary>
    /// Every document of the text, in order. A document that breaks a bound or the syntax is reported with its line,
    /// and reading resumes at the next <c>---</c> line: the parser is not asked to resynchronise, and the rest of a
    /// bomb is never tokenized (the scanner's cost grows with nesting).
    /// </summary>
    /// <param name="listItems">
    /// Where the items of a <c>kind: List</c> go as each is read, instead of into the List (which then comes back with
    /// no items): a 20,000-item List is never all in memory at once. A List is recognised as kubectl prints one: a
    /// top-level <c>items</c> sequence after nothing but <c>apiVersion: v1</c>, a <c>kind</c> ending in List, and
    /// <c>metadata</c>.
    /// </param>
    public static IEnumerable<YamlDocumentRead> ReadDocuments(string text, Action<ListItem>? listItems = null)
    {
        var offset = 0;
        var lineOffset = 0;
        while (offset < text.Length)
        {
            var parser = new Parser(new Scanner(new OffsetReader(text, offset), skipComments: true));
            int? resume = null;
            while (resume is null)
            {
                YamlDocumentRead next;
                var reader = new YamlToJson(lineOffset, listItems);
                try
                {
                    parser.TryConsume<StreamStart>(out _);
                    if (parser.Accept<StreamEnd>(out _))
                    {
                        yield break;
                    }

                    next = reader.ReadDocument(parser);
                }
                catch (YamlException ex)
                {
                    next = new YamlDocumentRead(null, lineOffset + (int)ex.Start.Line, reader.lines, lineOffset + (int)ex.Start.Line,
                        $"invalid YAML: {Clean(ex.InnerException?.Message ?? ex.Message)}");
                    resume = NextDocument(text, offset + (int)Math.Min(ex.Start.Index, text.Length - offset));
                }
                catch (ManifestLimitException ex)
                {
                    next = new YamlDocumentRead(null, lineOffset + ex.Line, reader.lines, lineOffset + ex.Line, ex.Message);
                    resume = NextDocument(text, offset + (int)Math.Min(ex.Index, text.Length - offset));
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
                {
                    // The YAML library tripped over the text (seen at a truncated flow mapping): a syntax error at the last
                    // place it reached, never a crash.
                    var line = lineOffset + (int)reader.last.Line;
                    next = new YamlDocumentRead(null, line, reader.lines, line, $"invalid YAML after line {line}: {ex.Message}");
                    resume = NextDocument(text, offset + (int)Math.Min(reader.last.Index, text.Length - offset));
                }

                yield return next;
            }

            lineOffset += text.AsSpan(offset, resume.Value - offset).Count('\n');
            offset = resume.Value;
        }
    }

    /// <summary>Where the next document marker line starts after <paramref name="from"/>, or the end of the text.</summary>
    private static int NextDocument(string text, int from)
    {
        for (var i = text.IndexOf("\n---", from, StringComparison.Ordinal); i >= 0; i = text.IndexOf("\n---", i + 1, StringComparison.Ordinal))
        {
            var after = i + 4;
            if (after == text.Length || text[after] is ' ' or '\t' or '\r' or '\n')
            {
                return i + 1;
            }
        }

        return text.Length;
    }

    private YamlDocumentRead ReadDocument(Parser parser)
    {
        var start = parser.Consume<DocumentStart>();
        var line = (int)start.End.Line;
        if (parser.Current is NodeEvent first)
        {
            line = (int)first.Start.Line;
        }

        var root = Read(parser, 0, LineIndex.Root);
        var end = parser.Consume<DocumentEnd>();
        return new YamlDocumentRead(root, lineOffset + line, lines) { End = (lineOffset + (int)end.Start.Line, (int)end.Start.Column) };
    }

    /// <summary>The text from an offset on, without copying it.</summary>
    private sealed class OffsetReader(string text, int offset) : TextReader
    {
        private int position = offset;

        public override int Peek() => position < text.Length ? text[position] : -1;

        public override int Read() => position < text.Length ? text[position++] : -1;

        public override int Read(char[] buffer, int index, int count)
        {
            var n = Math.Min(count, text.Length - position);
            text.CopyTo(position, buffer, index, n);
            position += n;
            return n;
        }
    }

    /// <param name="path">The hash of the node's field path (<see cref="LineIndex"/>).</param>
    private JsonNode? Read(Parser parser, int depth, ulong path)
    {
        var current = parser.Current ?? throw new YamlException("unexpected end of the stream");
        last = current.Start;
        if (depth > MaxDepth)
        {
            throw new ManifestLimitException(current.Start, $"nesting deeper than {MaxDepth} levels");
        }

        switch (current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                return Expand(alias);

            case Scalar scalar:
                parser.MoveNext();
                readNodes++;
                readChars += scalar.Value.Length;
                if (scalar.Value.Length > MaxScalarLength)
                {
                    throw new ManifestLimitException(scalar.Start, $"a scalar of {scalar.Value.Length} characters (at most {MaxScalarLength})");
                }

                return Remember(scalar, Resolve(scalar), 1, scalar.Value.Length);

            case SequenceStart sequenceStart:
            {
                parser.MoveNext();
                readNodes++;
                var (nodesBefore, charsBefore) = (readNodes + aliasNodes, readChars + aliasChars);
                var array = new JsonArray();
                for (var i = 0; !parser.TryConsume<SequenceEnd>(out _); i++)
                {
                    var child = LineIndex.Item(path, i);
                    lines.Add(child, lineOffset + (int)parser.Current!.Start.Line);
                    array.Add(Read(parser, depth + 1, child));
                }

                return Remember(sequenceStart, array, readNodes + aliasNodes - nodesBefore + 1, readChars + aliasChars - charsBefore);
            }

            case MappingStart mappingStart:
            {
                parser.MoveNext();
                readNodes++;
                var (nodesBefore, charsBefore) = (readNodes + aliasNodes, readChars + aliasChars);
                var obj = new JsonObject();
                List<(JsonObject Source, Mark At)>? merges = null;
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var keyEvent = parser.Current!;
                    var keyNode = Read(parser, depth + 1, LineIndex.Key(path, "<key>"));
                    if (keyEvent is Scalar { Value: "<<", Style: ScalarStyle.Plain } && keyNode is JsonValue)
                    {
                        // A merge key, as kubectl's YAML reader applies it: the mapping's own keys win, then the merged
                        // mappings in the order given.
                        var value = Read(parser, depth + 1, path);
                        foreach (var source in value is JsonArray list ? list : [value])
                        {
                            (merges ??= []).Add((source as JsonObject
                                ?? throw new ManifestLimitException(keyEvent.Start, "a merge key (<<) must name a mapping or a list of mappings"), keyEvent.Start));
                        }

                        continue;
                    }

                    var key = keyNode switch
                    {
                        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
                        JsonValue v => v.ToJsonString(), // a number or boolean key reads as its text, as kubectl converts it
                        null => throw new ManifestLimitException(keyEvent.Start, "a mapping key is null"),
                        _ => throw new ManifestLimitException(keyEvent.Start, "mapping keys must be scalars"),
                    };
                    if (obj.ContainsKey(key))
                    {
                        throw new ManifestLimitException(keyEvent.Start, $"duplicate key \"{key}\"");
                    }

                    var child = LineIndex.Key(path, key);
                    lines.Add(child, lineOffset + (int)keyEvent.Start.Line);
                    if (depth == 0 && key == "items" && IsListSoFar(obj) && parser.Current is SequenceStart)
                    {
                        obj[key] = HandOver(parser, depth + 1, child);
                        continue;
                    }

                    obj[key] = Read(parser, depth + 1, child);
                }

                foreach (var (source, _) in merges ?? [])
                {
                    foreach (var (key, value) in source)
                    {
                        if (!obj.ContainsKey(key))
                        {
                            obj[key] = value?.DeepClone();
                        }
                    }
                }

                return Remember(mappingStart, obj, readNodes + aliasNodes - nodesBefore + 1, readChars + aliasChars - charsBefore);
            }

            default:
                throw new ManifestLimitException(current.Start, $"unexpected YAML event {current.GetType().Name}");
        }
    }

    /// <summary>Whether the root read so far is a List as kubectl prints one, and the items are to be handed over.</summary>
    private bool IsListSoFar(JsonObject root) =>
        listItems is not null
        && root.All(p => p.Key is "apiVersion" or "kind" or "metadata")
        && root["apiVersion"] is JsonValue apiVersion && apiVersion.TryGetValue<string>(out var v) && v == "v1"
        && (root["kind"] is not JsonValue kind || (kind.TryGetValue<string>(out var k) && k.EndsWith("List", StringComparison.Ordinal)));

    /// <summary>Reads a List's items one at a time, each with lines of its own, and hands each over; returns the empty sequence.</summary>
    private JsonArray HandOver(Parser parser, int depth, ulong path)
    {
        var start = parser.Consume<SequenceStart>();
        last = start.Start;
        readNodes++;
        for (var i = 0; !parser.TryConsume<SequenceEnd>(out _); i++)
        {
            var line = lineOffset + (int)parser.Current!.Start.Line;
            lines.Add(LineIndex.Item(path, i), line);
            var list = lines;
            lines = new LineIndex();
            var item = Read(parser, depth + 1, LineIndex.Root);
            var itemLines = lines;
            lines = list;
            listItems!(new ListItem(item, itemLines, line));
        }

        return [];
    }

    /// <summary>Keeps an anchored node for its aliases, with what expanding it costs.</summary>
    private JsonNode? Remember(NodeEvent node, JsonNode? value, long nodes, long chars)
    {
        if (!node.Anchor.IsEmpty)
        {
            anchors[node.Anchor] = (value, nodes, chars);
        }

        return value;
    }

    private JsonNode? Expand(AnchorAlias alias)
    {
        if (!anchors.TryGetValue(alias.Value, out var anchored))
        {
            throw new ManifestLimitException(alias.Start, $"alias *{alias.Value} names no anchor defined before it");
        }

        // Charged before anything is copied: a "billion laughs" stops at the first alias past the budget.
        aliasNodes += anchored.Nodes;
        aliasChars += anchored.Chars;
        if (aliasNodes > Math.Max(MinAliasBudget, AliasRatio * readNodes) || aliasChars > Math.Max(AliasRatio * MinAliasBudget, AliasRatio * readChars))
        {
            throw new ManifestLimitException(alias.Start,
                $"aliases expand to more than {AliasRatio} times the document ({aliasNodes} nodes, {aliasChars} characters): an alias bomb?");
        }

        return anchored.Node?.DeepClone();
    }

    /// <summary>A scalar as kubectl reads it: the standard tags honoured, else YAML 1.1 resolution of plain scalars.</summary>
    private static JsonValue? Resolve(Scalar scalar)
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

    private static string Clean(string message) => message.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>go-yaml v2's yamlStyleFloat.</summary>
    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z")]
    private static partial Regex FloatPattern();
}

/// <summary>A document that breaks a bound or a rule of the format: reported for that document, with its line.</summary>
public sealed class ManifestLimitException(Mark at, string message) : Exception(message)
{
    public int Line { get; } = (int)at.Line;

    /// <summary>The character offset of the offending node in the text read.</summary>
    public long Index { get; } = at.Index;
}
