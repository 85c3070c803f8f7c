namespace StatefulGuard.Serve;

/// <summary>
/// Tells the warm-up's own requests apart while it runs: in process by a feature, over the wire by a header carrying a
/// token only this process knows, from loopback. Nobody else can keep a request out of the decision log.
/// </summary>
internal sealed class WarmupSignal
{
    public const string Header = "X-StatefulGuard-Warmup";

    public string Token { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public volatile bool Active;

    public bool Marks(HttpContext http) =>
        http.Features.Get<AdmissionWarmup.Marker>() is not null
        || (Active && http.Connection.RemoteIpAddress is { } ip && System.Net.IPAddress.IsLoopback(ip)
            && http.Request.Headers.TryGetValue(Header, out var token) && token == Token);
}
