using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using StatefulGuard.Serve;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Deploy;

/// <summary>certs/generate.sh, run as an operator runs it, checked with openssl and by serving with its output.</summary>
public sealed class GenerateCertsTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("sg-gen-").FullName;

    private static string Script => Path.Combine(Repository.Root, "certs", "generate.sh");

    public void Dispose() => Directory.Delete(output, recursive: true);

    private Task<(int Exit, string Out, string Err)> Generate(params string[] extra) =>
        Rendered.RunAsync("bash", [Script, "--out", output, .. extra]);

    private Task<(int Exit, string Out, string Err)> OpenSsl(params string[] args) => Rendered.RunAsync("openssl", args, output);

    [Fact]
    public async Task Creates_a_ca_and_a_serving_certificate_with_the_service_names()
    {
        Assert.Equal(0, (await Generate()).Exit);

        Assert.Equal(0, (await OpenSsl("verify", "-CAfile", "ca.crt", "tls.crt")).Exit);
        var sans = (await OpenSsl("x509", "-in", "tls.crt", "-noout", "-ext", "subjectAltName")).Out;
        Assert.Contains("DNS:statefulguard.statefulguard.svc", sans);
        Assert.Contains("DNS:statefulguard.statefulguard.svc.cluster.local", sans);
        Assert.Contains("DNS:localhost", sans);
        var certKey = (await OpenSsl("x509", "-in", "tls.crt", "-noout", "-pubkey")).Out;
        var privateKey = (await OpenSsl("pkey", "-in", "tls.key", "-pubout")).Out;
        Assert.Equal(certKey, privateKey);
        Assert.Contains("CA:TRUE", (await OpenSsl("x509", "-in", "ca.crt", "-noout", "-ext", "basicConstraints")).Out);
    }

    [Fact]
    public async Task Is_idempotent_and_keeps_a_valid_ca_unless_forced()
    {
        await Generate();
        var ca = await File.ReadAllBytesAsync(Path.Combine(output, "ca.crt"));
        var serving = await File.ReadAllBytesAsync(Path.Combine(output, "tls.crt"));
        var secret = await File.ReadAllTextAsync(Path.Combine(output, "secret.yaml"));

        var again = await Generate();
        Assert.Equal(0, again.Exit);
        Assert.Contains("keeping the valid CA", again.Err);
        Assert.Equal(ca, await File.ReadAllBytesAsync(Path.Combine(output, "ca.crt")));
        Assert.Equal(serving, await File.ReadAllBytesAsync(Path.Combine(output, "tls.crt")));
        Assert.Equal(secret, await File.ReadAllTextAsync(Path.Combine(output, "secret.yaml")));

        Assert.Equal(0, (await Generate("--force")).Exit);
        Assert.NotEqual(ca, await File.ReadAllBytesAsync(Path.Combine(output, "ca.crt")));
    }

    [Fact]
    public async Task Writes_the_secret_and_a_kustomization_that_injects_the_ca_into_every_webhook()
    {
        await Generate();
        var rendered = await Rendered.KustomizeAsync(output);
        var caBundle = Convert.ToBase64String(await File.ReadAllBytesAsync(Path.Combine(output, "ca.crt")));

        var secret = rendered.One("Secret", "statefulguard-tls");
        Assert.Equal(("kubernetes.io/tls", "statefulguard"), (secret["type"]!.GetValue<string>(), secret["metadata"]!["namespace"]!.GetValue<string>()));
        var webhooks = rendered.One("ValidatingWebhookConfiguration")["webhooks"]!.AsArray().Concat(rendered.One("MutatingWebhookConfiguration")["webhooks"]!.AsArray()).ToArray();
        Assert.Equal(5, webhooks.Length); // StatefulSets, exceptions, Services and Namespaces validated; StatefulSets mutated
        Assert.All(webhooks, w => Assert.Equal(caBundle, w!["clientConfig"]!["caBundle"]!.GetValue<string>()));
        Assert.NotNull(rendered.One("Deployment", "statefulguard"));
    }

    [Fact]
    public async Task Serve_accepts_the_generated_certificate_over_tls()
    {
        await Generate();
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(output, "ca.crt")));
        await using var app = ServeCommand.Build([
            "--urls", "https://127.0.0.1:0",
            $"--StatefulGuard:Tls:CertFile={Path.Combine(output, "tls.crt")}",
            $"--StatefulGuard:Tls:KeyFile={Path.Combine(output, "tls.key")}",
            "--StatefulGuard:Cluster:Source=None",
        ]);
        await app.StartAsync();
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    // The name must match (127.0.0.1 is in the SANs); only the unknown root is ours to vouch for.
                    return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && chain.Build(new X509Certificate2(cert!));
                },
            },
        };
        using var client = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20 };

        using var response = await client.GetAsync(new Uri(app.Urls.Single() + "/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await app.StopAsync();
    }
}
