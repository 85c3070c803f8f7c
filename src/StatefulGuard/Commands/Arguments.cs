namespace StatefulGuard.Commands;

/// <summary>
/// A command's arguments: <c>--flag</c>, <c>--name value</c> or <c>--name=value</c>, and positional ones
/// (<c>-</c> included). Unknown options are an error, so a typo never silently changes a CI job.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> options = new(StringComparer.Ordinal);

    private Arguments()
    {
    }

    public List<string> Positional { get; } = [];

    public string? Error { get; private set; }

    /// <param name="args">The command's arguments.</param>
    /// <param name="flags">Options without a value.</param>
    /// <param name="valued">Options that take a value.</param>
    public static Arguments Parse(IReadOnlyList<string> args, IReadOnlySet<string> flags, IReadOnlySet<string> valued)
    {
        var parsed = new Arguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "-" || !arg.StartsWith('-'))
            {
                parsed.Positional.Add(arg);
                continue;
            }

            var (name, value) = arg.Split('=', 2) is [var n, var v] ? (n, (string?)v) : (arg, null);
            if (flags.Contains(name) && value is null)
            {
                parsed.options[name] = null;
            }
            else if (valued.Contains(name))
            {
                if (value is null)
                {
                    if (i + 1 >= args.Count)
                    {
                        parsed.Error = $"option {name} needs a value";
                        return parsed;
                    }

                    value = args[++i];
                }

                parsed.options[name] = value;
            }
            else
            {
                parsed.Error = $"unknown option '{arg}'";
                return parsed;
            }
        }

        return parsed;
    }

    public bool Has(string name) => options.ContainsKey(name);

    public string? Value(string name) => options.GetValueOrDefault(name);
}
