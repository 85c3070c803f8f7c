using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using StatefulGuard.Configuration;

namespace StatefulGuard.Serve;

/// <summary>
/// The serving certificate, read from PEM files and re-read when they change (cert-manager and Secret
/// volume updates replace them in place), so rotation needs no restart and drops no connection: each new
/// handshake gets the newest certificate. A half-written or mismatched pair is ignored until it is whole.
/// </summary>
internal sealed partial class CertificateStore : IHostedService, IDisposable
{
    private readonly TlsOptions options;
    private readonly ILogger<CertificateStore> logger;
    private readonly Lock gate = new();
    private FileSystemWatcher[] watchers = [];
    private Timer? poll;
    private Timer? debounce;
    private volatile X509Certificate2? current;
    private volatile X509Certificate2Collection? clientCas;
    private byte[]? loadedHash;
    private string? lastError;
    private bool disposed;

    public CertificateStore(IOptions<StatefulGuardOptions> options, ILogger<CertificateStore> logger)
    {
        this.options = options.Value.Tls;
        this.logger = logger;
    }

    /// <summary>The certificate for the next handshake; null until a valid pair has been read.</summary>
    public X509Certificate2? Current => current;

    /// <summary>Set once Kestrel serves HTTPS; readiness then requires a certificate.</summary>
    public bool InUse { get; private set; }

    /// <summary>How many times the files held a pair that could not be loaded (a rotation caught half-way, say).</summary>
    public int RejectedPairs => Volatile.Read(ref rejectedPairs);

    /// <summary>Raised after a pair is loaded or rejected.</summary>
    public event Action? Changed;

    private int rejectedPairs;

    /// <summary>Whether admission endpoints require a client certificate (<c>StatefulGuard:Tls:ClientCaFile</c>).</summary>
    public bool RequiresClientCertificate => !string.IsNullOrEmpty(options.ClientCaFile);

    /// <summary>
    /// Whether a client certificate chains to the configured client CA (read like the serving pair, rotation included)
    /// and, when <c>StatefulGuard:Tls:ClientNames</c> is set, carries one of those names (common name or DNS SAN).
    /// </summary>
    public bool IsTrustedClient(X509Certificate2 certificate)
    {
        if (clientCas is not { Count: > 0 } roots)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2")); // client authentication
        if (!chain.Build(certificate))
        {
            LogClientRejected(logger, certificate.Subject, string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim())));
            return false;
        }

        if (options.ClientNames is not { Length: > 0 } allowed)
        {
            return true;
        }

        var names = ClientNames(certificate);
        if (names.Any(n => allowed.Contains(n, StringComparer.Ordinal)))
        {
            return true;
        }

        LogClientRejected(logger, certificate.Subject,
            $"its names ({string.Join(", ", names)}) are not among StatefulGuard:Tls:ClientNames ({string.Join(", ", allowed)})");
        return false;
    }

    /// <summary>The subject's common name and the DNS subject alternative names of a certificate.</summary>
    public static IReadOnlyList<string> ClientNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        if (certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is { Length: > 0 } common)
        {
            names.Add(common);
        }

        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
        }

        return names;
    }

    /// <summary>Called when Kestrel binds an HTTPS endpoint: a missing or broken pair stops start-up.</summary>
    public X509Certificate2 RequireForHttps()
    {
        InUse = true;
        Reload();
        return current ?? throw new InvalidOperationException(
            $"HTTPS needs a certificate: StatefulGuard:Tls:CertFile ('{Path.GetFullPath(options.CertFile)}') and " +
            $"StatefulGuard:Tls:KeyFile ('{Path.GetFullPath(options.KeyFile)}') must be a readable PEM certificate and its key " +
            $"(certs/generate.sh makes a pair for local runs): {lastError}");
    }

    /// <summary>Reads the files if their content changed. Returns true when a new certificate was installed.</summary>
    public bool Reload()
    {
        lock (gate)
        {
            ReloadClientCa();
            byte[] certBytes, keyBytes;
            try
            {
                certBytes = File.ReadAllBytes(options.CertFile);
                keyBytes = File.ReadAllBytes(options.KeyFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Only worth a warning when HTTPS is served (plain-HTTP local runs need no files), and once until it changes.
                if (InUse && lastError != ex.Message)
                {
                    LogUnreadable(logger, options.CertFile, options.KeyFile, ex.Message);
                }

                lastError = ex.Message;

                return false;
            }

            var hash = SHA256.HashData([.. certBytes, .. keyBytes]);
            if (loadedHash is not null && hash.AsSpan().SequenceEqual(loadedHash))
            {
                return false;
            }

            X509Certificate2 certificate;
            try
            {
                certificate = X509Certificate2.CreateFromPem(
                    System.Text.Encoding.ASCII.GetString(certBytes), System.Text.Encoding.ASCII.GetString(keyBytes));
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                // Typically a rotation caught between writing the two files: the next change completes it.
                // A well-formed key of another pair is an ArgumentException, a malformed one a CryptographicException.
                if (lastError != ex.Message)
                {
                    LogInvalid(logger, options.CertFile, ex.Message);
                }

                lastError = ex.Message;
                Interlocked.Increment(ref rejectedPairs);
                Changed?.Invoke();
                return false;
            }

            var previous = current;
            current = certificate;
            loadedHash = hash;
            lastError = null;
            LogLoaded(logger, certificate.Subject, certificate.Thumbprint, certificate.NotAfter, previous is not null);
            Changed?.Invoke();
            if (certificate.NotAfter < DateTime.Now)
            {
                LogExpired(logger, certificate.Thumbprint, certificate.NotAfter);
            }

            // The old certificate may still be in use by a handshake in flight; let the GC retire it.
            return true;
        }
    }

    /// <summary>
    /// Reload from a timer: nothing thrown there may escape, since an exception on a timer thread ends the
    /// process and the cluster could no longer deploy; the previous certificate stays in use.
    /// </summary>
    private void ReloadInBackground()
    {
        try
        {
            Reload();
        }
        catch (Exception ex)
        {
            LogReloadFailed(logger, ex);
        }
    }

    private void ReloadClientCa()
    {
        if (!RequiresClientCertificate)
        {
            return;
        }

        try
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(options.ClientCaFile!);
            if (roots.Count > 0)
            {
                clientCas = roots;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            LogInvalid(logger, options.ClientCaFile!, ex.Message);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Reload();
        watchers = Directories().Select(Watch).ToArray();
        var interval = TimeSpan.FromSeconds(options.ReloadIntervalSeconds);
        poll = new Timer(_ => ReloadInBackground(), null, interval, interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var watcher in watchers)
        {
            watcher.Dispose();
        }

        watchers = [];
        lock (gate)
        {
            // A change notification already under way must not re-arm (or create) a disposed timer.
            disposed = true;
            poll?.Dispose();
            debounce?.Dispose();
        }
    }

    private IEnumerable<string> Directories() =>
        new[] { options.CertFile, options.KeyFile, options.ClientCaFile }
            .OfType<string>()
            .Where(f => f.Length > 0)
            .Select(f => Path.GetDirectoryName(Path.GetFullPath(f))!)
            .Distinct(StringComparer.Ordinal)
            .Where(Directory.Exists);

    private FileSystemWatcher Watch(string directory)
    {
        // Secret volumes swap a symlinked ..data directory, so watch the whole directory, not the file names.
        var watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            IncludeSubdirectories = false,
        };
        FileSystemEventHandler changed = (_, _) => ScheduleReload();
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, _) => ScheduleReload();
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private void ScheduleReload()
    {
        // Writers replace the two files one after the other: wait for the burst to settle.
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            debounce ??= new Timer(_ => ReloadInBackground());
            debounce.Change(TimeSpan.FromMilliseconds(200), Timeout.InfiniteTimeSpan);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving certificate {Subject} ({Thumbprint}, valid until {NotAfter:u}) loaded; rotation: {Rotated}")]
    private static partial void LogLoaded(ILogger logger, string subject, string thumbprint, DateTime notAfter, bool rotated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read TLS files {CertFile} / {KeyFile}: {Error}")]
    private static partial void LogUnreadable(ILogger logger, string certFile, string keyFile, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS files {CertFile} do not hold a valid certificate and key yet: {Error}; keeping the previous certificate")]
    private static partial void LogInvalid(ILogger logger, string certFile, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading the TLS files failed; keeping the previous certificate")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client certificate {Subject} rejected: {Reason}")]
    private static partial void LogClientRejected(ILogger logger, string subject, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Serving certificate {Thumbprint} expired at {NotAfter:u}: the apiserver will reject it")]
    private static partial void LogExpired(ILogger logger, string thumbprint, DateTime notAfter);
}
