using System.Diagnostics;

namespace StatefulGuard.Tests.Support;

public static class Repository
{
    /// <summary>The checkout's root, found from the test binaries by walking up to StatefulGuard.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "examples");

    /// <summary>The built executable (the test project references it, so it is always built first).</summary>
    public static string ExecutableDll => Path.Combine(AppContext.BaseDirectory, "statefulguard.dll");

    /// <summary>
    /// The binary the process tests run: the published native one when <c>STATEFULGUARD_BINARY</c> names it (as
    /// <c>.ci/run</c> does after publishing), else the JIT build beside the tests, through <c>dotnet</c>.
    /// </summary>
    public static string? NativeBinary => Environment.GetEnvironmentVariable("STATEFULGUARD_BINARY") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>How to start <c>statefulguard</c> with <paramref name="args"/>, from the repository root, its output redirected.</summary>
    public static ProcessStartInfo Executable(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(NativeBinary ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        if (NativeBinary is null)
        {
            info.ArgumentList.Add(ExecutableDll);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StatefulGuard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("StatefulGuard.sln not found above " + AppContext.BaseDirectory);
    }
}
