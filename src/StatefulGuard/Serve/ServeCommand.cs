namespace StatefulGuard.Serve;

/// <summary><c>statefulguard serve</c>: the admission webhook.</summary>
internal static class ServeCommand
{
    public const string DefaultUrl = "https://0.0.0.0:8443";

    /// <param name="services">Further registrations after StatefulGuard's own (a test's clock, say).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? services = null)
    {
        MetricsSetup.Configure();
        // The slim builder: no IIS integration, HTTP/3 or extra logging providers, which a webhook in a pod never uses.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json ships beside the binary; a --contentRoot argument still wins.
            ContentRootPath = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) ? null : AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelHttpsConfiguration();

        // --urls and ASPNETCORE_URLS both arrive as "urls"; only without them is the documented default used.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Serilog is the only logging provider (sinks registered as services still receive every event).
        builder.Logging.ClearProviders();
        builder.Services.AddStatefulGuard();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapAdmissionEndpoints();
        app.MapOperationalEndpoints();
        return app;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            await using var app = Build(args);
            await app.RunAsync();
            return 0;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("statefulguard: invalid configuration:");
            foreach (var failure in ex.Failures)
            {
                await Console.Error.WriteLineAsync($"  {failure}");
            }

            return 1;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or IOException or k8s.Exceptions.KubeConfigException)
        {
            await Console.Error.WriteLineAsync($"statefulguard: cannot start: {ex.Message}");
            return 1;
        }
    }
}
