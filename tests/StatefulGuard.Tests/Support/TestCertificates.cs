using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace StatefulGuard.Tests.Support;

/// <summary>A throw-away CA and serving certificates written as PEM files, as certs/generate.sh or cert-manager would.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly RSA caKey = RSA.Create(2048);

    public TestCertificates()
    {
        var request = new CertificateRequest("CN=statefulguard-test-ca", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Directory = System.IO.Directory.CreateTempSubdirectory("statefulguard-certs-").FullName;
    }

    public X509Certificate2 Ca { get; }

    public string Directory { get; }

    public string CertFile => Path.Combine(Directory, "tls.crt");

    public string KeyFile => Path.Combine(Directory, "tls.key");

    /// <summary>Issues a serving certificate for localhost and writes it over the PEM files; returns its thumbprint.</summary>
    public string IssueServing(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var cert = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30), serial);

        // Write to temporary names and move into place, as kubelet's atomic writer does.
        var certTmp = CertFile + ".tmp";
        var keyTmp = KeyFile + ".tmp";
        File.WriteAllText(keyTmp, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certTmp, cert.ExportCertificatePem());
        File.Move(keyTmp, KeyFile, overwrite: true);
        File.Move(certTmp, CertFile, overwrite: true);
        return cert.Thumbprint;
    }

    /// <summary>
    /// Writes a well-formed key of another pair over the key file, leaving the certificate: what a reader sees
    /// between the two moves of a rotation when the key is moved first.
    /// </summary>
    public void WriteUnrelatedKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(KeyFile, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The CA certificate as a PEM file (for StatefulGuard:Tls:ClientCaFile).</summary>
    public string WriteCaFile()
    {
        var path = Path.Combine(Directory, "client-ca.crt");
        File.WriteAllText(path, Ca.ExportCertificatePem());
        return path;
    }

    /// <summary>A client certificate (clientAuth), as the apiserver presents to webhooks.</summary>
    public X509Certificate2 IssueClient(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var cert = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(12));
        // An exportable copy with its key, usable by SslStream on Linux.
        return X509CertificateLoader.LoadPkcs12(cert.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Accepts exactly the certificates this CA issued.</summary>
    public bool Validate(X509Certificate2 presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }

    public void Dispose()
    {
        caKey.Dispose();
        Ca.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
