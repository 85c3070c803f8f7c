namespace StatefulGuard.Configuration;

/// <summary>Configuration for the offline commands: the same sources and checks as <c>serve</c>.</summary>
internal static class ConfigurationLoader
{
    public static IConfiguration Build(string? contentRoot = null) =>
        new ConfigurationBuilder()
            .SetBasePath(contentRoot ?? AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
}
