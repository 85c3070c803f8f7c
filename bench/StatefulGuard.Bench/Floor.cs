using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace StatefulGuard.Bench;

/// <summary>
/// The floor: the least an ASP.NET webhook can do — read the body, find the uid, allow — on the same
/// Kestrel, TLS and HTTP/2 as StatefulGuard, so the ratio between the two is what StatefulGuard's work costs.
/// </summary>
internal static class Floor
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = args.Chunk(2).ToDictionary(p => p[0], p => p[1]);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls(options["--urls"]);
        var certificate = X509Certificate2.CreateFromPemFile(options["--cert"], options["--key"]);
        builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(h => h.ServerCertificate = certificate));
        var app = builder.Build();
        app.MapPost("/{endpoint}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            using var review = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
            var uid = review.RootElement.GetProperty("request").GetProperty("uid").GetString();
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":\"" + uid + "\",\"allowed\":true}}", Encoding.UTF8);
        });
        app.MapGet("/readyz", () => "ok");
        await app.RunAsync();
        return 0;
    }
}
