namespace StatefulGuard.Tests.Support;

/// <summary>A test of something only Linux has (glibc's heap, /proc): reported as skipped elsewhere, never passed silently.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (glibc's malloc_trim and /proc)";
        }
    }
}
