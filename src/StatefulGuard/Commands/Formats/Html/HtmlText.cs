using System.Text;

namespace StatefulGuard.Commands.Formats.Html;

/// <summary>Text from the input as HTML text or a quoted attribute value: nothing in a manifest becomes markup.</summary>
internal static class HtmlText
{
    public static string Encode(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value.AsSpan().IndexOfAny("<>&\"'") < 0 && !value.Any(char.IsControl))
        {
            return value;
        }

        var text = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            switch (c)
            {
                case '<': text.Append("&lt;"); break;
                case '>': text.Append("&gt;"); break;
                case '&': text.Append("&amp;"); break;
                case '"': text.Append("&quot;"); break;
                case '\'': text.Append("&#39;"); break;
                case '\n' or '\t': text.Append(c); break;
                default: text.Append(char.IsControl(c) ? '\uFFFD' : c); break;
            }
        }

        return text.ToString();
    }
}
