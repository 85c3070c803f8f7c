using StatefulGuard.Commands.Formats;
using StatefulGuard.Core.Cluster;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Manifests;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Commands;

/// <summary>
/// <c>statefulguard audit [PATH…] [--cluster [--namespace NS]]</c>: the webhook's rules over manifest files
/// (the Services, PDBs and StorageClasses in the input standing in for the cluster) or over what already
/// runs in a cluster. By default it reports what enforce mode would deny, and exits 1 if anything.
/// </summary>
internal static class AuditCommand
{
    public static async Task<int> RunAsync(AuditArguments args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var format = args.Format;
        var mode = args.Mode == "audit" ? GuardMode.Audit : GuardMode.Enforce; // the parser accepts only these two
        var fromCluster = args.Cluster;
        var ns = args.Namespace;
        if (ns is not null && !fromCluster)
        {
            return Usage(stderr, "--namespace needs --cluster");
        }

        if (args.WarningsAsFailures && mode != GuardMode.Enforce)
        {
            return Usage(stderr, "--warnings-as-failures needs --mode enforce (audit mode never fails)");
        }

        if (args.Paths.Length == 0 && !fromCluster)
        {
            return Usage(stderr, "no input; give files, directories or - for stdin, or --cluster");
        }

        if (!CommandLine.TryConfiguration("audit", stderr, out var options, out var rules))
        {
            return CommandLine.Usage;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var manifests = ExceptionInputs.With(ManifestReader.ReadPaths(args.Paths, stdin), args.Exceptions);
        IClusterView? cluster = null;
        var settings = options.ToEngineSettings();
        if (fromCluster)
        {
            try
            {
                using var connection = options.Cluster.Connect();
                if (connection.Api is not { } api)
                {
                    await stderr.WriteLineAsync("statefulguard audit: --cluster needs a kubeconfig (KUBECONFIG, ~/.kube/config or StatefulGuard:Cluster:Kubeconfig) or a pod's service account");
                    return CommandLine.Usage;
                }

                var (view, statefulSets) = await ClusterSnapshot.LoadAsync(api, ns, stderr, CancellationToken.None);
                cluster = view;
                if (args.Paths.Length == 0)
                {
                    manifests = new ManifestSet(statefulSets.Select(ClusterDocument).ToArray(), manifests.Errors);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or Core.Cluster.Api.ApiException or Core.Cluster.Api.MalformedResponseException or TimeoutException
                                       or k8s.Exceptions.KubeConfigException or IOException)
            {
                await stderr.WriteLineAsync($"statefulguard audit: cannot read the cluster: {ex.Message}");
                return CommandLine.Usage;
            }
        }
        else
        {
            // Offline, what lives only in the cluster (StorageClasses, say) is unknown rather than wrong: say nothing of it.
            settings = settings with { UnverifiableAction = RuleAction.Off };
        }

        var clock = ExceptionInputs.Clock(args.Now);
        var engine = new RuleEngine(rules, settings, clock: clock);
        var report = ManifestAudit.Run(manifests, engine, cluster, GuardMode.Enforce, Progress(stderr));
        var context = new ReportContext(mode, args.WarningsAsFailures, clock.GetUtcNow(), System.Diagnostics.Stopwatch.GetElapsedTime(started),
            [.. args.Paths, .. fromCluster ? [ns is null ? "the cluster" : $"namespace {ns} of the cluster"] : Array.Empty<string>()]);

        switch (format)
        {
            case "json":
                await using (var output = OpenStdout(stdout))
                {
                    JsonReport.Write(output, report, mode);
                }

                break;
            case "sarif":
                await using (var output = OpenStdout(stdout))
                {
                    SarifReport.Write(output, report, RuleCatalog.Default);
                }

                break;
            case "junit":
                await using (var output = OpenStdout(stdout))
                {
                    JUnitReport.Write(output, report, RuleDocs.Checks(rules), context);
                }

                break;
            case "markdown":
                MarkdownReport.Write(stdout, report, context);
                break;
            case "html":
                Formats.Html.HtmlReport.Write(stdout, report, RuleDocs.Checks(rules), context);
                break;
            default:
                var color = args.Color || (!args.NoColor && stdout == Console.Out && !Console.IsOutputRedirected
                                                      && Environment.GetEnvironmentVariable("NO_COLOR") is null);
                new TextReport(stdout, color).Write(report, context);
                break;
        }

        foreach (var error in report.Errors)
        {
            await stderr.WriteLineAsync($"statefulguard audit: {error}");
        }

        if (report.Unreadable)
        {
            return CommandLine.Usage;
        }

        return context.Fails(AuditTally.Of(report)) ? CommandLine.Violations : CommandLine.Ok;
    }

    private static ManifestDocument ClusterDocument(k8s.Models.V1StatefulSet statefulSet)
    {
        statefulSet.ApiVersion ??= "apps/v1";
        statefulSet.Kind ??= "StatefulSet";
        var json = KubeJson.ToNode(statefulSet)!.AsObject();
        return new ManifestDocument($"cluster:{statefulSet.Metadata?.NamespaceProperty}/{statefulSet.Metadata?.Name}", 0, json);
    }

    /// <summary>On large clusters, a line every 500 objects so a long run is visibly alive.</summary>
    private static Action<int, int> Progress(TextWriter stderr) => (done, total) =>
    {
        if (total >= 1000 && (done % 500 == 0 || done == total))
        {
            stderr.WriteLine($"statefulguard audit: checked {done}/{total} StatefulSets");
        }
    };

    /// <summary>Machine formats are written as UTF-8 bytes to stdout, or to the writer a test passes in.</summary>
    private static Stream OpenStdout(TextWriter stdout) =>
        stdout == Console.Out ? Console.OpenStandardOutput() : new WriterStream(stdout);

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine($"statefulguard audit: {message}");
        stderr.WriteLine("Usage: statefulguard audit [PATH...] [--format text|json|sarif|junit|markdown|html] [--mode enforce|audit [--warnings-as-failures]] [--cluster [--namespace NS]] (see --help)");
        return CommandLine.Usage;
    }

    /// <summary>Lets the JSON writers target a TextWriter.</summary>
    private sealed class WriterStream(TextWriter writer) : Stream
    {
        private readonly MemoryStream buffer = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => buffer.Length;

        public override long Position { get => buffer.Position; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => this.buffer.Write(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                writer.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
                writer.WriteLine();
                buffer.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
