using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace StatefulGuard.Core.Manifests;

/// <summary>
/// Writes JSON objects as multi-document YAML that reads back, as kubectl reads YAML (1.1 scalars included), to
/// exactly the same JSON: every string or key that YAML would re-type, trim or fold is quoted, line breaks survive
/// (a literal block only where it carries the text exactly, else a double-quoted string with escapes), and numbers
/// are written as their JSON text. Streamed through the emitter: no YAML tree is built.
/// </summary>
public static partial class YamlWriter
{
    public static string Write(IEnumerable<JsonNode> documents)
    {
        using var writer = new StringWriter();
        Write(documents, writer);
        return writer.ToString();
    }

    /// <summary>Writes the documents to <paramref name="output"/> as they are emitted (no copy of the whole text is kept).</summary>
    public static void Write(IEnumerable<JsonNode> documents, TextWriter output)
    {
        using var stream = Open(output);
        foreach (var document in documents)
        {
            stream.Write(document);
        }
    }

    /// <summary>A stream of documents written one by one as they are ready; disposing it ends the stream.</summary>
    public static DocumentWriter Open(TextWriter output) => new(output);

    public sealed class DocumentWriter : IDisposable
    {
        private readonly Escaping writer;
        private readonly Emitter emitter;
        private bool first = true;
        private bool ended;

        internal DocumentWriter(TextWriter output)
        {
            writer = new Escaping(output);
            emitter = new Emitter(writer, new EmitterSettings(bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false, maxSimpleKeyLength: 1024));
            emitter.Emit(new StreamStart());
        }

        public void Write(JsonNode document)
        {
            emitter.Emit(new DocumentStart(null, null, isImplicit: first));
            Emit(emitter, document);
            emitter.Emit(new DocumentEnd(isImplicit: true));
            first = false;
        }

        public void Dispose()
        {
            if (ended)
            {
                return;
            }

            ended = true;
            emitter.Emit(new StreamEnd());
            writer.Flush();
            writer.Dispose();
        }
    }

    /// <summary>
    /// What the emitter writes, on its way out: the characters it writes raw even inside double quotes, where a reader
    /// takes them for a line break or a byte order mark, escaped (every string holding one is double-quoted, see
    /// NeedsEscapes, so escaping them here is exact); line ends as <c>\n</c> whatever the platform's; and buffered, since
    /// the emitter writes a character at a time and a console writer sends every write to the terminal.
    /// </summary>
    private sealed class Escaping(TextWriter inner) : TextWriter
    {
        private readonly char[] buffer = new char[64 * 1024];
        private int length;
        private bool pendingReturn;

        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            if (pendingReturn)
            {
                pendingReturn = false;
                if (value != '\n')
                {
                    Put('\r');
                }
            }

            switch (value)
            {
                case '\r':
                    pendingReturn = true;
                    break;
                case '\uFEFF':
                    Put("\\uFEFF");
                    break;
                case '\u2028':
                    Put("\\L");
                    break;
                case '\u2029':
                    Put("\\P");
                    break;
                case '\u0085':
                    Put("\\N");
                    break;
                default:
                    Put(value);
                    break;
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "")
            {
                Write(c);
            }
        }

        public override void Write(char[] chars, int index, int count)
        {
            for (var i = index; i < index + count; i++)
            {
                Write(chars[i]);
            }
        }

        public override void Flush()
        {
            if (pendingReturn)
            {
                pendingReturn = false;
                Put('\r');
            }

            inner.Write(buffer, 0, length);
            length = 0;
            inner.Flush();
        }

        private void Put(char c)
        {
            if (length == buffer.Length)
            {
                inner.Write(buffer, 0, length);
                length = 0;
            }

            buffer[length++] = c;
        }

        private void Put(string text)
        {
            foreach (var c in text)
            {
                Put(c);
            }
        }
    }

    public static string Write(JsonNode document) => Write([document]);

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, obj.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    emitter.Emit(String(key, isKey: true));
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                emitter.Emit(String(value.GetValue<string>(), isKey: false));
                break;
            case JsonValue value:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value.ToJsonString(), ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            default:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
        }
    }

    private static Scalar String(string text, bool isKey)
    {
        var style = !isKey && LiteralCarries(text) ? ScalarStyle.Literal
            : SafePlain().IsMatch(text) && !text.Contains(": ", StringComparison.Ordinal) && !text.Contains(" #", StringComparison.Ordinal)
              && !YamlScalars.NeedsQuotes(text) ? ScalarStyle.Plain
            : ScalarStyle.DoubleQuoted;
        return new Scalar(AnchorName.Empty, TagName.Empty, text, style, isPlainImplicit: true, isQuotedImplicit: true);
    }

    /// <summary>Characters YAML reads as line breaks, or that only an escape carries: control characters, NEL, LS, PS, BOM, lone surrogates.</summary>
    private static bool NeedsEscapes(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < ' ' || c is >= '\u007f' and <= '\u009f' or '\u2028' or '\u2029' or '\uFEFF')
            {
                return true;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a literal block reproduces the text exactly: several lines of printable text, no carriage return,
    /// no line that starts the block with a space (it would set the indentation) or ends in whitespace, and at
    /// most one final line break (the emitter's chomping covers none or one).
    /// </summary>
    private static bool LiteralCarries(string text)
    {
        if (!text.Contains('\n', StringComparison.Ordinal) || text.Length > 1_000_000 || text[0] is ' ' or '\t' or '\n'
            || text.EndsWith("\n\n", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0 && line[^1] is ' ' or '\t')
            {
                return false;
            }

            if (NeedsEscapes(line.Replace('\t', ' ')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Text written plain: what manifests are mostly made of (names, images, paths, label values, commands). Anything
    /// else is double-quoted, which carries every string exactly, rather than trusting each corner of the plain style.
    /// </summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9/._][A-Za-z0-9 _./:@,=+%~()$-]*(?<![ :])\z")]
    private static partial System.Text.RegularExpressions.Regex SafePlain();
}
