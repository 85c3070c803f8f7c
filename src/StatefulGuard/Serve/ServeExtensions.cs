using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Prometheus;
using Serilog;
using Serilog.Formatting.Compact;
using StatefulGuard.Configuration;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Serve;

/// <summary>The composition root's building blocks, so Program.cs stays a few lines.</summary>
internal static class ServeExtensions
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddStatefulGuard(this IServiceCollection services)
    {
        services.AddSingleton(RuleCatalog.Default);

        // In-flight admissions finish after SIGTERM, well inside the pod's 30 s grace period (less the preStop sleep).
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        services.AddOptions<StatefulGuardOptions>().BindConfiguration(StatefulGuardOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StatefulGuardOptions>, StatefulGuardOptionsStartupValidation>();
        services.AddSingleton<IValidator<StatefulGuardOptions>, StatefulGuardOptionsValidator>();

        services.AddSingleton(sp =>
        {
            StatefulGuardOptionsValidator.Check(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<RuleCatalog>(), out _, out var rules);
            return rules;
        });
        services.AddSingleton(sp => new RuleEngine(
            sp.GetRequiredService<RuleSet>(),
            sp.GetRequiredService<IOptions<StatefulGuardOptions>>().Value.EngineSettings,
            sp.GetRequiredService<ILogger<RuleEngine>>()));

        services.AddSingleton(sp => ClusterConnection.Create(sp.GetRequiredService<IOptions<StatefulGuardOptions>>().Value.Cluster));
        services.AddSingleton<KubernetesClusterView>();
        services.AddSingleton<IClusterView>(sp => sp.GetRequiredService<KubernetesClusterView>());
        services.AddHostedService(sp => sp.GetRequiredService<KubernetesClusterView>());

        services.AddSingleton<CertificateStore>();
        services.AddHostedService(sp => sp.GetRequiredService<CertificateStore>());
        services.AddSingleton<AdmissionHandler>();

        services.AddOptions<KestrelServerOptions>().Configure<CertificateStore, IOptions<StatefulGuardOptions>>((kestrel, store, options) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.Value.MaxRequestBodyBytes;
            kestrel.ConfigureHttpsDefaults(https =>
            {
                store.RequireForHttps();
                https.ServerCertificateSelector = (_, _) => store.Current;
            });
        });

        services.AddHealthChecks()
            .AddCheck<ClusterCacheHealthCheck>("cluster-caches", tags: [ReadyTag])
            .AddCheck<CertificateHealthCheck>("certificate", tags: [ReadyTag])
            .AddCheck<ShutdownHealthCheck>("shutdown", tags: [ReadyTag]);

        // Each host keeps its own logger (never the process-wide static one), and other logging providers
        // registered with the host (a test's, for instance) still receive every event.
        services.AddSerilog((sp, log) =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            log.ReadFrom.Configuration(configuration)
                .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks", Serilog.Events.LogEventLevel.Warning)
                .Enrich.FromLogContext();
            var json = string.Equals(configuration[$"{StatefulGuardOptions.SectionName}:{nameof(StatefulGuardOptions.LogFormat)}"], nameof(LogFormat.Json), StringComparison.OrdinalIgnoreCase);
            // Console writes happen on a background thread: a slow log pipe must not hold up admissions.
            // Events beyond the buffer are dropped rather than blocking (counted by Serilog's self-log).
            log.WriteTo.Async(
                sink =>
                {
                    if (json)
                    {
                        sink.Console(new RenderedCompactJsonFormatter());
                    }
                    else
                    {
                        sink.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
                    }
                },
                bufferSize: 10_000,
                blockWhenFull: false);
        }, preserveStaticLogger: true, writeToProviders: true);

        return services;
    }

    public static WebApplication MapAdmissionEndpoints(this WebApplication app)
    {
        app.MapPost("/validate", (HttpContext http, AdmissionHandler handler) => handler.HandleAsync(http, AdmissionEndpoint.Validate));
        app.MapPost("/mutate", (HttpContext http, AdmissionHandler handler) => handler.HandleAsync(http, AdmissionEndpoint.Mutate));
        return app;
    }

    public static WebApplication MapOperationalEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealth });
        app.MapMetrics("/metrics");
        return app;
    }

    private static Task WriteHealth(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
