using StatefulGuard.Tests.Support;

namespace StatefulGuard.Tests.Deploy;

/// <summary>The image is built from what the lock files name, and says which version and commit it is.</summary>
public sealed class DockerfileTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(Repository.Root, "Dockerfile"));

    [Fact]
    public void Every_shipped_project_is_restored_from_its_committed_lock_file_in_locked_mode()
    {
        foreach (var project in Directory.GetFiles(Path.Combine(Repository.Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var directory = Path.GetRelativePath(Repository.Root, Path.GetDirectoryName(project)!).Replace('\\', '/');
            Assert.True(File.Exists(Path.Combine(Repository.Root, directory, "packages.lock.json")), $"{directory} has no lock file");
            Assert.Contains($"{directory}/packages.lock.json", Dockerfile, StringComparison.Ordinal);
        }

        Assert.Contains("--locked-mode", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY .config/dotnet-tools.json", Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void The_version_and_commit_reach_the_binary_and_the_image_labels()
    {
        Assert.Contains("-p:Version=\"$VERSION\" -p:SourceRevisionId=\"$REVISION\"", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("org.opencontainers.image.version=\"$VERSION\"", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("org.opencontainers.image.revision=\"$REVISION\"", Dockerfile, StringComparison.Ordinal);

        // The default version is the one the project builds with, and the one the Deployment runs.
        var version = System.Text.RegularExpressions.Regex.Match(
            File.ReadAllText(Path.Combine(Repository.Root, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.Contains($"ARG VERSION={version}", Dockerfile, StringComparison.Ordinal);
        Assert.Contains($"statefulguard:{version}", File.ReadAllText(Path.Combine(Repository.Root, "deploy", "kubernetes", "deployment.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_runs_the_native_binary_alone()
    {
        // Built by the project's PublishAot with clang and zlib, on the SDK the lock files were made with.
        Assert.Contains("apt-get install -y --no-install-recommends clang zlib1g-dev", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("<PublishAot>true</PublishAot>", File.ReadAllText(Path.Combine(Repository.Root, "src", "StatefulGuard", "StatefulGuard.csproj")), StringComparison.Ordinal);
        Assert.Matches(@"FROM mcr\.microsoft\.com/dotnet/sdk:10\.0\.\d+ AS build", Dockerfile);

        // No .NET runtime in the image: runtime-deps, and the binary as the entry point.
        Assert.Contains("FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS runtime", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"/app/statefulguard\"]", Dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain("statefulguard.dll", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("cp /publish/statefulguard /publish/appsettings.json /publish/sbom.cdx.json /app/", Dockerfile, StringComparison.Ordinal);
    }
}
