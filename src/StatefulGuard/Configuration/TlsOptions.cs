namespace StatefulGuard.Configuration;

public sealed class TlsOptions
{
    public string CertFile { get; set; } = "certs/tls.crt";

    public string KeyFile { get; set; } = "certs/tls.key";

    /// <summary>How often the files are checked for a rotated certificate, besides file-change notifications.</summary>
    public int ReloadIntervalSeconds { get; set; } = 10;

    /// <summary>
    /// When set, /validate and /mutate only serve clients presenting a certificate signed by this CA (PEM):
    /// the apiserver's webhook client certificate (its admission control configuration). Health and metrics stay open
    /// for kubelet probes and scrapers, which present none.
    /// </summary>
    public string? ClientCaFile { get; set; }

    /// <summary>
    /// With <see cref="ClientCaFile"/>: the names a client certificate must carry (its subject's common name or a DNS
    /// subject alternative name), so that only the apiserver's webhook client certificate is served even where the CA
    /// signs others too. Unset: any certificate the CA signed.
    /// </summary>
    public string[]? ClientNames { get; set; }
}
