using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace StatefulGuard.Core.Manifests;

/// <summary>
/// Reads YAML into JSON the way kubectl does (YAML 1.1 scalars as sigs.k8s.io/yaml resolves them, merge keys, the
/// standard tags), from the parser's events, so that every bound holds <em>while parsing</em>, before any tree is
/// built: nesting depth, alias expansion (count and expanded size), scalar size. No input can overflow the stack or
/// exhaust memory: the work is linear in the input, and alias expansion is bounded relative to it.
/// </summary>
public sealed class YamlToJson
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

                return Remember(scalar, YamlScalars.Resolve(scalar), 1, scalar.Value.Length);

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


    private static string Clean(string message) => message.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
