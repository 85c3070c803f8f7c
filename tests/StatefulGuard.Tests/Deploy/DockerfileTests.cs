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
}
