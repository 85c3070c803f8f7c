using Serilog;
using Serilog.Configuration;
using Serilog.Events;

namespace StatefulGuard.Serve;

/// <summary>
/// The <c>Serilog</c> configuration section, in the standard Serilog layout: <c>MinimumLevel</c> (or
/// <c>MinimumLevel:Default</c>), <c>MinimumLevel:Override:&lt;category&gt;</c>, and <c>WriteTo</c> entries naming the
/// shipped <c>Console</c> and <c>File</c> sinks with their usual arguments.
/// </summary>
/// <remarks>
/// Read here rather than by Serilog.Settings.Configuration, which finds sinks by loading assemblies and reflecting over
/// their extension methods: the native binary has neither. A key this reader does not know is a problem reported at
/// start, never silently ignored.
/// </remarks>
internal sealed class LogSettings
{
    public const string SectionName = "Serilog";

    private static readonly string[] FileArguments = ["path", "outputTemplate", "rollingInterval", "retainedFileCountLimit", "fileSizeLimitBytes", "rollOnFileSizeLimit", "restrictedToMinimumLevel"];
    private static readonly string[] ConsoleArguments = ["outputTemplate", "restrictedToMinimumLevel"];

    private readonly List<Action<LoggerSinkConfiguration>> sinks = [];

    private LogSettings()
    {
    }

    public LogEventLevel MinimumLevel { get; private set; } = LogEventLevel.Information;

    public Dictionary<string, LogEventLevel> Overrides { get; } = new(StringComparer.Ordinal);

    public int SinkCount => sinks.Count;

    /// <summary>Reads the section; <paramref name="problems"/> gets one line per key that is wrong, naming it.</summary>
    public static LogSettings Read(IConfiguration configuration, List<string> problems)
    {
        var settings = new LogSettings();
        var section = configuration.GetSection(SectionName);
        foreach (var child in section.GetChildren())
        {
            switch (child.Key.ToLowerInvariant())
            {
                case "minimumlevel":
                    settings.ReadLevels(child, problems);
                    break;
                case "writeto":
                    foreach (var sink in child.GetChildren())
                    {
                        settings.ReadSink(sink, problems);
                    }

                    break;
                default:
                    problems.Add($"{child.Path}: not a setting StatefulGuard reads (MinimumLevel and WriteTo with the Console and File sinks are; the native binary loads no other sink assemblies)");
                    break;
            }
        }

        return settings;
    }

    public LoggerConfiguration ApplyTo(LoggerConfiguration log)
    {
        log.MinimumLevel.Is(MinimumLevel);
        foreach (var (category, level) in Overrides)
        {
            log.MinimumLevel.Override(category, level);
        }

        foreach (var sink in sinks)
        {
            sink(log.WriteTo);
        }

        return log;
    }

    private void ReadLevels(IConfigurationSection section, List<string> problems)
    {
        if (section.Value is { } single)
        {
            MinimumLevel = Level(section, single, problems) ?? MinimumLevel;
            return;
        }

        foreach (var child in section.GetChildren())
        {
            if (string.Equals(child.Key, "Default", StringComparison.OrdinalIgnoreCase))
            {
                MinimumLevel = Level(child, child.Value, problems) ?? MinimumLevel;
            }
            else if (string.Equals(child.Key, "Override", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var category in child.GetChildren())
                {
                    if (Level(category, category.Value, problems) is { } level)
                    {
                        Overrides[category.Key] = level;
                    }
                }
            }
            else
            {
                problems.Add($"{child.Path}: unknown configuration key (Default and Override are)");
            }
        }
    }

    private void ReadSink(IConfigurationSection entry, List<string> problems)
    {
        // An entry is either a name ("WriteTo:0": "Console") or an object with Name and Args.
        var name = entry.Value ?? entry["Name"];
        var args = entry.GetSection("Args");
        foreach (var key in entry.GetChildren().Where(c => !string.Equals(c.Key, "Name", StringComparison.OrdinalIgnoreCase) && !string.Equals(c.Key, "Args", StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add($"{key.Path}: unknown configuration key (Name and Args are)");
        }

        var known = name?.ToLowerInvariant() switch
        {
            "console" => ConsoleArguments,
            "file" => FileArguments,
            _ => null,
        };
        if (known is null)
        {
            problems.Add($"{entry.Path}: the sink '{name}' is not shipped (Console and File are)");
            return;
        }

        var unknown = args.GetChildren().Where(a => !known.Contains(a.Key, StringComparer.OrdinalIgnoreCase)).ToArray();
        problems.AddRange(unknown.Select(a => $"{a.Path}: not an argument of the {name} sink ({string.Join(", ", known)} are)"));
        var count = problems.Count;
        var template = args["outputTemplate"];
        var restricted = args["restrictedToMinimumLevel"] is { } r ? Level(args.GetSection("restrictedToMinimumLevel"), r, problems) : null;
        if (known == ConsoleArguments)
        {
            if (problems.Count == count && unknown.Length == 0)
            {
                sinks.Add(to => to.Console(restrictedToMinimumLevel: restricted ?? LevelAlias.Minimum,
                    outputTemplate: template ?? "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}"));
            }

            return;
        }

        var path = args["path"];
        if (string.IsNullOrWhiteSpace(path))
        {
            problems.Add($"{args.Path}:path: the File sink needs a path");
        }

        var rolling = Parse<RollingInterval>(args.GetSection("rollingInterval"), problems) ?? RollingInterval.Infinite;
        var retained = Number(args.GetSection("retainedFileCountLimit"), problems);
        var sizeLimit = Number(args.GetSection("fileSizeLimitBytes"), problems);
        var rollOnSize = args["rollOnFileSizeLimit"] is { } roll && bool.TryParse(roll, out var rollValue) ? rollValue : (bool?)null;
        if (args["rollOnFileSizeLimit"] is not null && rollOnSize is null)
        {
            problems.Add($"{args.Path}:rollOnFileSizeLimit: must be true or false");
        }

        if (problems.Count == count && unknown.Length == 0)
        {
            sinks.Add(to => to.File(path!, restrictedToMinimumLevel: restricted ?? LevelAlias.Minimum,
                outputTemplate: template ?? "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}",
                fileSizeLimitBytes: sizeLimit ?? 1L * 1024 * 1024 * 1024, rollingInterval: rolling, rollOnFileSizeLimit: rollOnSize ?? false,
                retainedFileCountLimit: retained is { } kept ? (int)Math.Min(kept, int.MaxValue) : 31));
        }
    }

    private static LogEventLevel? Level(IConfigurationSection key, string? value, List<string> problems) =>
        Parse<LogEventLevel>(key, problems, value);

    private static T? Parse<T>(IConfigurationSection key, List<string> problems, string? value = null)
        where T : struct, Enum
    {
        value ??= key.Value;
        if (value is null)
        {
            return null;
        }

        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && !int.TryParse(value, out _))
        {
            return parsed;
        }

        problems.Add($"{key.Path}: '{value}' is not one of {string.Join(", ", Enum.GetNames<T>())}");
        return null;
    }

    private static long? Number(IConfigurationSection key, List<string> problems)
    {
        if (key.Value is null)
        {
            return null;
        }

        if (long.TryParse(key.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0)
        {
            return number;
        }

        problems.Add($"{key.Path}: must be a positive whole number (was '{key.Value}')");
        return null;
    }
}
