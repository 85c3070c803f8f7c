namespace StatefulGuard.Tests.Support;

public static class Repository
{
    /// <summary>The checkout's root, found from the test binaries by walking up to StatefulGuard.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "examples");

    /// <summary>The built executable (the test project references it, so it is always built first).</summary>
    public static string ExecutableDll => Path.Combine(AppContext.BaseDirectory, "statefulguard.dll");

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
