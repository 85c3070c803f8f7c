using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Prometheus;
using Serilog;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;
using StatefulGuard.Configuration;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;

namespace StatefulGuard.Serve;

/// <summary>The composition root's building blocks, so Program.cs stays a few lines.</summary>
internal static class ServeExtensions
{
    private const string ReadyTag = "ready";

    /// <summary>A level above Fatal: nothing in the category is enabled.</summary>
    private static readonly Serilog.Core.LoggingLevelSwitch Off = new((Serilog.Events.LogEventLevel)(1 + (int)Serilog.Events.LogEventLevel.Fatal));

    public static IServiceCollection AddStatefulGuard(this IServiceCollection services)
    {
        services.AddSingleton(RuleCatalog.Default);

        // In-flight admissions finish after SIGTERM, well inside the pod's 30 s grace period (less the preStop sleep).
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));

        // The section is bound once; IOptions<StatefulGuardOptions> and the RuleSet are that binding.
        services.AddSingleton(sp => StatefulGuardSettings.Load(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<RuleCatalog>()));
        services.AddSingleton<IOptionsFactory<StatefulGuardOptions>, BoundOptionsFactory>();
        services.AddOptions<StatefulGuardOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<StatefulGuardOptions>, StatefulGuardOptionsStartupValidation>();
        services.AddSingleton(sp => sp.GetRequiredService<StatefulGuardSettings>().Rules);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var engine = new RuleEngine(
                sp.GetRequiredService<RuleSet>(),
                sp.GetRequiredService<IOptions<StatefulGuardOptions>>().Value.ToEngineSettings(),
                sp.GetRequiredService<ILogger<RuleEngine>>(),
                sp.GetRequiredService<TimeProvider>());
            engine.Waived += waiver => AdmissionMetrics.ExceptionMatches.WithLabels(waiver.RuleId).Inc();
            return engine;
        });
        // One judge of exceptions: the engine's, for admission and for waiving alike.
        services.AddSingleton(sp => sp.GetRequiredService<RuleEngine>().ExceptionValidator);
        services.AddHostedService<Cluster.ExceptionMonitor>();

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StatefulGuardOptions>>().Value.Cluster.Connect());
        services.AddSingleton<Cluster.MalformedObjectLog>();
        services.AddSingleton<Cluster.KubernetesClusterView>();
        services.AddSingleton<IClusterView>(sp => sp.GetRequiredService<Cluster.KubernetesClusterView>());
        services.AddHostedService(sp => sp.GetRequiredService<Cluster.KubernetesClusterView>());

        services.AddSingleton<Reports.ReportController>();
        services.AddHostedService(sp => sp.GetRequiredService<Reports.ReportController>());

        services.AddSingleton<CertificateStore>();
        services.AddHostedService(sp => sp.GetRequiredService<CertificateStore>());
        services.AddSingleton<AdmissionHandler>();
        services.AddHostedService<NativeHeapTrimmer>();

        // Kestrel's connections take their buffers from a pool whose idle blocks the trimmer bounds.
        services.AddSingleton<BoundedMemoryPoolFactory>();
        services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>>(sp => sp.GetRequiredService<BoundedMemoryPoolFactory>());
        services.AddSingleton<WarmupSignal>();
        services.AddSingleton<AdmissionWarmup>();
        services.AddHostedService(sp => sp.GetRequiredService<AdmissionWarmup>());
        services.AddSingleton<Health.ReadinessLog>();
        services.AddHostedService(sp => sp.GetRequiredService<Health.ReadinessLog>());
        services.AddSingleton<IHealthCheckPublisher>(sp => sp.GetRequiredService<Health.ReadinessLog>());
        // Readiness is looked at every few seconds even where nothing probes it, so that a change is logged when it happens.
        services.Configure<HealthCheckPublisherOptions>(o =>
        {
            o.Delay = TimeSpan.FromSeconds(1);
            o.Period = TimeSpan.FromSeconds(5);
            o.Predicate = c => c.Tags.Contains(ReadyTag);
        });

        services.AddSingleton(sp => new ConnectionRateLimit(sp.GetRequiredService<IOptions<StatefulGuardOptions>>().Value.MaxNewConnectionsPerSecond));
        services.AddOptions<KestrelServerOptions>().Configure<CertificateStore, IOptions<StatefulGuardOptions>, ConnectionRateLimit>((kestrel, store, options, connections) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Use(connections.Wrap));
            var limits = kestrel.Limits;
            limits.MaxRequestBodySize = options.Value.MaxRequestBodyBytes;
            limits.MaxRequestHeadersTotalSize = 32 * 1024;
            limits.MaxRequestHeaderCount = 64;
            // A slow client holds no admission permit (it is taken once the whole body is in) and its body must arrive
            // within the admission deadline: what it costs is a connection and the bytes it sent. The apiserver sends
            // its headers in one write and its body at network speed; a client slower than these is not it.
            limits.RequestHeadersTimeout = TimeSpan.FromSeconds(Math.Min(10, options.Value.AdmissionDeadlineSeconds));
            limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 4096, gracePeriod: TimeSpan.FromSeconds(3));
            // Streams one connection may have open at once: the apiserver opens another connection past this; a slow
            // client gets no more than this many bodies in flight per connection. Each stream's unread data is bounded
            // by its window (what it may send before the webhook reads), and the webhook reads as data arrives.
            limits.Http2.MaxStreamsPerConnection = 64;
            limits.Http2.InitialStreamWindowSize = 256 * 1024;
            limits.Http2.InitialConnectionWindowSize = 1024 * 1024;
            limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
            kestrel.ConfigureHttpsDefaults(https =>
            {
                store.RequireForHttps();
                https.ServerCertificateSelector = (_, _) => store.Current;
                if (store.RequiresClientCertificate)
                {
                    // Asked for, not required, at the TLS level: kubelet probes present none. Admission endpoints insist.
                    https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
                    https.ClientCertificateValidation = (certificate, _, _) => store.IsTrustedClient(certificate);
                }
            });
        });

        // At most MaxConcurrentAdmissions admissions at once, the next AdmissionQueueLength wait in order, the rest get
        // 503. Taken by the admission handler itself: the rate-limiting middleware resolved a policy, a partition and a
        // delegate for every request to hand out the same one limiter.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StatefulGuardOptions>>().Value;
            return new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = options.MaxConcurrentAdmissions,
                QueueLimit = options.AdmissionQueueLength,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        });

        services.AddHealthChecks()
            .AddCheck<Health.ClusterCacheHealthCheck>("cluster-caches", tags: [ReadyTag])
            .AddCheck<Health.CertificateHealthCheck>("certificate", tags: [ReadyTag])
            .AddCheck<Health.ShutdownHealthCheck>("shutdown", tags: [ReadyTag])
            .AddCheck<Health.WarmupHealthCheck>("warmup", tags: [ReadyTag]);

        // Each host keeps its own logger (never the process-wide static one). Serilog sinks registered as services
        // (a test's, for instance) receive every event too; events are not copied out to other logging providers,
        // which would cost every event a conversion.
        services.AddSerilog((sp, log) =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            sp.GetRequiredService<StatefulGuardSettings>().Logging.ApplyTo(log)
                .ReadFrom.Services(sp)
                .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
                // The health check service logs every unhealthy probe as an error; ReadinessLog says each change once instead.
                .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks", Off)
                // Request start/finish events are never written, and while this category is enabled at all ASP.NET
                // opens a log scope and an Activity for every request; the admission's uid correlates instead.
                .MinimumLevel.Override("Microsoft.AspNetCore.Hosting.Diagnostics", Off)
                .Enrich.FromLogContext();
            var json = string.Equals(configuration[$"{StatefulGuardOptions.SectionName}:{nameof(StatefulGuardOptions.LogFormat)}"], nameof(LogFormat.Json), StringComparison.OrdinalIgnoreCase);
            // Events are formatted and written on a background thread, a batch per write: a slow log pipe must not
            // hold up admissions. Events beyond the queue are dropped rather than blocking (counted by Serilog's self-log).
            ITextFormatter formatter = json
                ? new RenderedCompactJsonFormatter()
                : new MessageTemplateTextFormatter("[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
            log.WriteTo.Sink(new BatchedConsoleSink(formatter, Console.OpenStandardOutput()));
        }, preserveStaticLogger: true, writeToProviders: false);

        return services;
    }

    public static WebApplication MapAdmissionEndpoints(this WebApplication app)
    {
        app.Use(RequireClientCertificate);
        // Plain request delegates: no parameter binding for the framework to generate and compile at start.
        app.MapPost("/validate", static http => Admission(http).HandleAsync(http, AdmissionEndpoint.Validate));
        app.MapPost("/mutate", static http => Admission(http).HandleAsync(http, AdmissionEndpoint.Mutate));
        return app;
    }

    private static AdmissionHandler Admission(HttpContext http) => http.RequestServices.GetRequiredService<AdmissionHandler>();

    /// <summary>With a client CA configured, only clients whose certificate chained to it (checked during the handshake) get in.</summary>
    private static Task RequireClientCertificate(HttpContext http, RequestDelegate next)
    {
        var admission = http.Request.Path.StartsWithSegments("/validate") || http.Request.Path.StartsWithSegments("/mutate");
        if (admission && http.Connection.ClientCertificate is null && http.RequestServices.GetRequiredService<CertificateStore>().RequiresClientCertificate)
        {
            return StatefulGuard.Serve.Admission.AdmissionResponses.WriteErrorAsync(http, StatusCodes.Status403Forbidden, "a client certificate signed by StatefulGuard:Tls:ClientCaFile is required");
        }

        return next(http);
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
        http.RequestServices.GetRequiredService<Health.ReadinessLog>().Observe(report);
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(Health.HealthBody.Of(report), Health.HealthJsonContext.Default.HealthBody));
    }
}
