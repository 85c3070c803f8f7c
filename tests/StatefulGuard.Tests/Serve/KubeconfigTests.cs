using k8s;
using k8s.Exceptions;
using StatefulGuard.Core.Cluster.Api;
using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Serve;

public sealed class KubeconfigTests : IDisposable
{
    private const string Full = """
        apiVersion: v1
        kind: Config
        preferences:
          colors: true
        clusters:
          - name: prod
            cluster:
              server: https://10.0.0.1:6443
              certificate-authority-data: QUFBQQ==
              insecure-skip-tls-verify: false
              tls-server-name: api.prod
              extensions:
                - name: ext
                  extension: {a: b}
          - name: dev
            cluster:
              server: https://dev:6443
              certificate-authority: certs/ca.crt
        contexts:
          - name: prod
            context: {cluster: prod, user: admin, namespace: shop}
          - name: dev
            context: {cluster: dev, user: exec}
        current-context: prod
        users:
          - name: admin
            user:
              client-certificate-data: QkJCQg==
              client-key-data: Q0NDQw==
              token: abc
              username: u
              password: p
              as: someone
              as-groups: [g1, g2]
              auth-provider:
                name: oidc
                config: {client-id: x, id-token: y}
          - name: exec
            user:
              exec:
                apiVersion: client.authentication.k8s.io/v1beta1
                command: aws
                args: [eks, get-token, --cluster-name, prod]
                env:
                  - name: AWS_PROFILE
                    value: prod
                interactiveMode: Never
                provideClusterInfo: true
        """;

    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("sg-kubeconfig-");

    public void Dispose() => directory.Delete(recursive: true);

    [Fact]
    public void Reads_every_field_a_kubeconfig_can_have()
    {
        var file = Write("config", Full);

        var read = ClusterConnection.Load([file]);

        Assert.Equal(file.FullName, read.FileName);
        Assert.Equal("prod", read.CurrentContext);
        Assert.Equal(["eks", "get-token", "--cluster-name", "prod"], read.Users.Single(u => u.Name == "exec").UserCredentials.ExternalExecution.Arguments);
        Assert.Equal("api.prod", read.Clusters.Single(c => c.Name == "prod").ClusterEndpoint.TlsServerName);
    }

    [Fact]
    public void The_connection_built_from_it_points_where_the_current_context_says()
    {
        var file = Write("config", """
            apiVersion: v1
            kind: Config
            clusters: [{name: fake, cluster: {server: "http://127.0.0.1:8080"}}]
            contexts: [{name: fake, context: {cluster: fake, user: fake, namespace: shop}}]
            current-context: fake
            users: [{name: fake, user: {token: fake-token}}]
            """);

        var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(ClusterConnection.Load([file]));

        Assert.Equal(("http://127.0.0.1:8080", "fake-token", "shop"), (config.Host, config.AccessToken, config.Namespace));
    }

    [Fact]
    public void Several_files_merge_as_kubectl_merges_them_and_missing_ones_are_skipped()
    {
        var first = Write("a", """
            kind: Config
            clusters: [{name: shared, cluster: {server: "https://first:6443"}}]
            contexts: [{name: one, context: {cluster: shared, user: alice}}]
            users: [{name: alice, user: {token: from-first}}]
            """);
        var second = Write("b", """
            kind: Config
            current-context: two
            clusters: [{name: shared, cluster: {server: "https://second:6443"}}, {name: other, cluster: {server: "https://other:6443"}}]
            contexts: [{name: two, context: {cluster: other, user: alice}}]
            users: [{name: alice, user: {token: from-second}}]
            """);
        var missing = new FileInfo(Path.Combine(directory.FullName, "missing"));

        var merged = ClusterConnection.Load([first, missing, second]);

        Assert.Equal("two", merged.CurrentContext);
        Assert.Equal(["shared", "other"], merged.Clusters.Select(c => c.Name));
        Assert.Equal("https://first:6443", merged.Clusters.First().ClusterEndpoint.Server);
        Assert.Equal("from-first", merged.Users.Single().UserCredentials.Token);
        Assert.Equal(["one", "two"], merged.Contexts.Select(c => c.Name));
        Assert.Equal(first.FullName, merged.FileName);
    }

    [Fact]
    public void Relative_certificate_paths_are_resolved_against_the_files_directory()
    {
        Directory.CreateDirectory(Path.Combine(directory.FullName, "certs"));
        using var certificates = new TestCertificates();
        var ca = certificates.Ca;
        File.WriteAllText(Path.Combine(directory.FullName, "certs", "ca.crt"), ca.ExportCertificatePem());
        var file = Write("config", """
            kind: Config
            clusters: [{name: c, cluster: {server: "https://api:6443", certificate-authority: certs/ca.crt}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            users: [{name: u, user: {token: t}}]
            """);

        var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(ClusterConnection.Load([file]));

        Assert.Equal(ca.Thumbprint, Assert.Single(config.SslCaCerts).Thumbprint);
    }

    [Theory]
    [InlineData("kind: Config\nclusters: [unclosed")]
    [InlineData("")]
    public void A_broken_or_empty_file_is_a_kubeconfig_error_naming_the_problem(string yaml)
    {
        var file = Write("config", yaml);

        var error = Assert.Throws<KubeConfigException>(() => ClusterConnection.Load([file]));

        Assert.Contains("kubeconfig", error.Message);
    }

    [Fact]
    public void No_existing_file_is_a_kubeconfig_error()
    {
        var error = Assert.Throws<KubeConfigException>(() => ClusterConnection.Load([new FileInfo(Path.Combine(directory.FullName, "nope"))]));

        Assert.Contains("nope", error.Message);
    }

    private FileInfo Write(string name, string yaml)
    {
        var path = Path.Combine(directory.FullName, name);
        File.WriteAllText(path, yaml);
        return new FileInfo(path);
    }
}
