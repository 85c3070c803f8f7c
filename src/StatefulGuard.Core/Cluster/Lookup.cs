namespace StatefulGuard.Core.Cluster;

public readonly record struct Lookup<T>(LookupState State, T? Value)
    where T : class
{
    public static Lookup<T> Found(T value) => new(LookupState.Found, value);

    public static readonly Lookup<T> NotFound = new(LookupState.NotFound, null);

    public static readonly Lookup<T> Unknown = new(LookupState.Unknown, null);

    public static Lookup<T> Of(T? value) => value is null ? NotFound : Found(value);
}
