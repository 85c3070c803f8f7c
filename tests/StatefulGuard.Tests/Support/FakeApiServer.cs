using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StatefulGuard.Tests.Support;

/// <summary>
/// An in-process kube-apiserver for the kinds StatefulGuard watches. It speaks the real REST and watch
/// protocol — paged lists with resourceVersion and continue, chunked watch streams of JSON events,
/// BOOKMARKs, and 410 Gone Status objects for expired versions — so the real KubernetesClient drives it.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly Lock gate = new();
    // Every kind StatefulGuard reads, from its declarations, and what it writes (reports, its Lease), by plural.
    private readonly Dictionary<string, Resource> resources = Core.Cluster.ClusterKinds.All
        .Select(k => new Resource(k.Plural, k.ApiVersion, k.Kind, k.Namespaced))
        .Concat(new[] { Core.Reports.ReportFormat.OpenReports, Core.Reports.ReportFormat.PolicyReport }.Select(f => new Resource(f.Plural, f.ApiVersion, f.Kind, Namespaced: true)))
        .Append(new Resource("leases", "coordination.k8s.io/v1", "Lease", Namespaced: true))
        .ToDictionary(r => r.Plural);

    // Failures to answer instead of the next writes: (method, plural) → status codes, in order.
    private readonly Dictionary<(string Method, string Plural), Queue<HttpStatusCode>> failures = [];
    private TaskCompletionSource written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly ConcurrentQueue<string> requests = new();
    private WebApplication? app;
    private CancellationTokenSource watchesClosed = new();
    private long resourceVersion = 1000;

    private FakeApiServer()
    {
    }

    public int Port { get; private set; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Every request seen, as "GET /path?query".</summary>
    public IReadOnlyCollection<string> Requests => requests;

    public string GitVersion { get; set; } = "v1.31.2";

    /// <param name="withExceptionsCrd">False: the optional kinds' CRDs (StatefulGuardException) are not installed (their paths answer 404).</param>
    /// <param name="withReportCrds">False: neither policy report CRD is installed.</param>
    public static async Task<FakeApiServer> StartAsync(bool withExceptionsCrd = true, bool withReportCrds = true)
    {
        var server = new FakeApiServer();
        if (!withExceptionsCrd)
        {
            foreach (var kind in Core.Cluster.ClusterKinds.All.Where(k => k.Optional))
            {
                server.resources.Remove(kind.Plural);
            }
        }

        if (!withReportCrds)
        {
            server.resources.Remove(Core.Reports.ReportFormat.OpenReports.Plural);
            server.resources.Remove(Core.Reports.ReportFormat.PolicyReport.Plural);
        }

        await server.StartOnAsync(0);
        return server;
    }

    /// <summary>A kubeconfig file pointing at this server, as kubectl would use it.</summary>
    public string WriteKubeconfig(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: fake
                cluster:
                  server: {Url}
            contexts:
              - name: fake
                context:
                  cluster: fake
                  user: fake
            current-context: fake
            users:
              - name: fake
                user:
                  token: fake-token
            """);
        return path;
    }

    /// <summary>Creates or replaces an object (as a controller or kubectl would), returning its new resourceVersion.</summary>
    public string Apply(string resource, JsonObject obj)
    {
        lock (gate)
        {
            var store = resources[resource];
            var copy = obj.DeepClone().AsObject();
            var meta = copy["metadata"]!.AsObject();
            var key = Key(store, meta);
            var type = store.Objects.ContainsKey(key) ? "MODIFIED" : "ADDED";
            meta["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);
            meta["uid"] ??= Guid.NewGuid().ToString();
            copy["apiVersion"] = store.ApiVersion;
            copy["kind"] = store.Kind;
            store.Objects[key] = copy;
            Publish(store, type, copy);
            return (string)meta["resourceVersion"]!;
        }
    }

    public void Delete(string resource, string? ns, string name)
    {
        lock (gate)
        {
            var store = resources[resource];
            var key = Key(store, ns, name);
            if (store.Objects.Remove(key, out var obj))
            {
                obj["metadata"]!["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);
                Publish(store, "DELETED", obj);
            }
        }
    }

    /// <summary>A copy of one stored object; null if there is none.</summary>
    public JsonObject? Get(string resource, string? ns, string name)
    {
        lock (gate)
        {
            var store = resources[resource];
            return store.Objects.TryGetValue(Key(store, ns, name), out var obj) ? obj.DeepClone().AsObject() : null;
        }
    }

    /// <summary>Copies of every stored object of a resource.</summary>
    public IReadOnlyList<JsonObject> List(string resource)
    {
        lock (gate)
        {
            return resources.TryGetValue(resource, out var store) ? [.. store.Objects.Values.Select(o => o.DeepClone().AsObject())] : [];
        }
    }

    /// <summary>Writes (POST, PUT, PATCH, DELETE) answered with success, per resource.</summary>
    public int Writes(string resource)
    {
        lock (gate)
        {
            return resources.TryGetValue(resource, out var store) ? store.Writes : 0;
        }
    }

    /// <summary>The next <paramref name="count"/> requests with <paramref name="method"/> on <paramref name="resource"/> get <paramref name="status"/>.</summary>
    public void FailNext(string method, string resource, HttpStatusCode status, int count = 1)
    {
        lock (gate)
        {
            if (!failures.TryGetValue((method, resource), out var queue))
            {
                failures[(method, resource)] = queue = new Queue<HttpStatusCode>();
            }

            for (var i = 0; i < count; i++)
            {
                queue.Enqueue(status);
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, checking it after every change to the stored objects and every request.</summary>
    public async Task WaitUntilAsync(Func<FakeApiServer, bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (gate)
            {
                next = written.Task;
            }

            if (condition(this))
            {
                return;
            }

            try
            {
                await next.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"condition not met in {timeout.TotalSeconds} s");
            }
        }
    }

    /// <summary>Forgets event history (as etcd compaction does) and ends open watches: re-watching from an old version gets 410 Gone.</summary>
    public void Compact()
    {
        lock (gate)
        {
            // Writes to other kinds move the revision on; compaction then drops everything before it.
            resourceVersion += 10;
            foreach (var store in resources.Values)
            {
                store.History.Clear();
                store.CompactedAt = resourceVersion;
            }
        }

        CloseWatches();
    }

    /// <summary>Ends every open watch stream cleanly, as the apiserver does at its timeout.</summary>
    public void CloseWatches()
    {
        CancellationTokenSource old;
        lock (gate)
        {
            old = watchesClosed;
            watchesClosed = new CancellationTokenSource();
        }

        old.Cancel();
        old.Dispose();
    }

    public int CountRequests(Func<string, bool> predicate) => requests.Count(predicate);

    private readonly List<InjectedFault> faults = [];

    /// <summary>Applies <paramref name="fault"/> to every request <paramref name="target"/> matches until it is lifted.</summary>
    public InjectedFault Inject(ApiFault fault, FaultTarget target)
    {
        var injected = new InjectedFault(fault, target);
        lock (gate)
        {
            faults.Add(injected);
        }

        return injected;
    }

    private InjectedFault? FaultFor(HttpRequest request)
    {
        var segments = request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.FindLastIndex(segments, resources.ContainsKey);
        var target = new FaultTarget.Request(
            request.Method,
            at >= 0 ? segments[at] : null,
            request.Query["watch"] is { Count: > 0 } w && (w[0] == "true" || w[0] == "1"),
            at >= 0 && at == segments.Length - 2,
            request.Path == "/version");
        lock (gate)
        {
            return faults.LastOrDefault(f => f.Active && f.Target.Matches(target));
        }
    }

    /// <summary>Answers a request a fault took over (a fault that rewrites the answer runs the real handler first).</summary>
    private static async Task ApplyAsync(InjectedFault fault, HttpContext http, RequestDelegate next)
    {
        fault.Hit();
        var watch = http.Request.Query["watch"] is { Count: > 0 } w && (w[0] == "true" || w[0] == "1");
        switch (fault.Fault)
        {
            case ApiFault.Hang:
                // Held until the client gives up or the fault is lifted: an event, never a timer.
                var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (http.RequestAborted.Register(() => released.TrySetResult()))
                using (fault.Lifted.Register(() => released.TrySetResult()))
                {
                    await released.Task;
                }

                http.Abort();
                return;
            case ApiFault.Reset:
                http.Abort();
                return;
            case ApiFault.ServerError:
                await WriteStatus(http, HttpStatusCode.InternalServerError, "InternalError", "injected: the server failed");
                return;
            case ApiFault.TooManyRequests:
                http.Response.Headers.RetryAfter = "1";
                await WriteStatus(http, HttpStatusCode.TooManyRequests, "TooManyRequests", "injected: too many requests, please try again later");
                return;
            case ApiFault.Gone when watch:
                http.Response.ContentType = "application/json";
                await WriteLine(http, new JsonObject
                {
                    ["type"] = "ERROR",
                    ["object"] = StatusObject(HttpStatusCode.Gone, "Expired", "injected: too old resource version"),
                }.ToJsonString());
                return;
            case ApiFault.Gone:
                await WriteStatus(http, HttpStatusCode.Gone, "Expired", "injected: the resource version is too old");
                return;
            case ApiFault.Truncated when watch:
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"na", Encoding.UTF8);
                return;
            case ApiFault.WrongShape when watch:
                http.Response.ContentType = "application/json";
                await WriteLine(http, """{"type":"ADDED","object":[1,2,3]}""");
                await WriteLine(http, """{"hello":"world"}""");
                await WriteLine(http, "not json at all");
                return;
            case ApiFault.WrongShape when http.Request.Method == "GET" && http.Request.Path == "/version":
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("""{"major":["1"],"gitVersion":42}""");
                return;
        }

        // Truncated and WrongShape for the rest: the real answer is made (a write happens), then replaced.
        var real = http.Response.Body;
        using var captured = new MemoryStream();
        http.Response.Body = captured;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = real;
        }

        byte[] body;
        if (fault.Fault == ApiFault.Truncated)
        {
            body = captured.ToArray()[..(int)(captured.Length / 2)];
        }
        else
        {
            var isList = http.Request.Method == "GET" && !IsItem(http);
            body = Encoding.UTF8.GetBytes(isList
                ? """{"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":{"not":"a list"}}"""
                : """{"apiVersion":"v1","metadata":"not an object","spec":"not an object","results":5}""");
            http.Response.StatusCode = http.Response.StatusCode >= 400 ? StatusCodes.Status200OK : http.Response.StatusCode;
        }

        http.Response.ContentLength = body.Length;
        await real.WriteAsync(body);
    }

    private static bool IsItem(HttpContext http) => http.GetRouteValue("name") is not null;

    /// <summary>The next watch event is sent only half-way, then the connection is dropped (a proxy or node dying mid-write).</summary>
    public void CutNextWatchEvent() => Interlocked.Exchange(ref cutNextEvent, 1);

    private int cutNextEvent;

    /// <summary>Stops listening: clients see connection refused until <see cref="RestartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (app is null)
        {
            return;
        }

        CloseWatches();
        await app.StopAsync();
        await app.DisposeAsync();
        app = null;
    }

    public Task RestartAsync() => StartOnAsync(Port);

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartOnAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(2));
        var web = builder.Build();
        web.Use(async (http, next) =>
        {
            requests.Enqueue($"{http.Request.Method} {http.Request.Path}{http.Request.QueryString}");
            lock (gate)
            {
                Signal();
            }

            await next(http);
        });
        web.UseRouting();
        web.Use((http, next) => FaultFor(http.Request) is { } fault ? ApplyAsync(fault, http, next) : next(http));
        web.MapGet("/version", () => Results.Json(new Dictionary<string, string>
        {
            ["major"] = "1",
            ["minor"] = GitVersion.Split('.')[1],
            ["gitVersion"] = GitVersion,
            ["platform"] = "linux/amd64",
        }));
        foreach (var (plural, resource) in resources)
        {
            var prefix = resource.ApiVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{resource.ApiVersion}" : $"/api/{resource.ApiVersion}";
            web.MapGet($"{prefix}/{plural}", http => Serve(http, plural, null));
            var collection = resource.Namespaced ? $"{prefix}/namespaces/{{ns}}/{plural}" : $"{prefix}/{plural}";
            if (resource.Namespaced)
            {
                web.MapGet(collection, (HttpContext http, string ns) => Serve(http, plural, ns));
            }

            web.MapPost(collection, (HttpContext http) => WriteAsync(http, resource, "POST", null));
            web.MapGet(collection + "/{name}", (HttpContext http, string name) => ReadOneAsync(http, resource, name));
            web.MapPut(collection + "/{name}", (HttpContext http, string name) => WriteAsync(http, resource, "PUT", name));
            web.MapPatch(collection + "/{name}", (HttpContext http, string name) => WriteAsync(http, resource, "PATCH", name));
            web.MapDelete(collection + "/{name}", (HttpContext http, string name) => WriteAsync(http, resource, "DELETE", name));
        }
        web.MapFallback(http => WriteStatus(http, HttpStatusCode.NotFound, "NotFound", $"the server could not find the requested resource ({http.Request.Path})"));
        await web.StartAsync();
        Port = new Uri(web.Urls.First()).Port;
        app = web;
    }

    private Task ReadOneAsync(HttpContext http, Resource store, string name)
    {
        var ns = http.GetRouteValue("ns") as string;
        JsonObject? found;
        lock (gate)
        {
            found = store.Objects.TryGetValue(Key(store, ns, name), out var obj) ? obj.DeepClone().AsObject() : null;
        }

        if (found is null)
        {
            return WriteStatus(http, HttpStatusCode.NotFound, "NotFound", $"{store.Plural} \"{name}\" not found");
        }

        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(found.ToJsonString());
    }

    /// <summary>Create, replace, merge-patch or delete one object, with the apiserver's answers: 409 AlreadyExists, 409 Conflict on a stale resourceVersion, 404.</summary>
    private async Task WriteAsync(HttpContext http, Resource store, string method, string? name)
    {
        var ns = http.GetRouteValue("ns") as string;
        JsonObject? body = null;
        if (method != "DELETE")
        {
            body = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync()) as JsonObject;
            if (body is null)
            {
                await WriteStatus(http, HttpStatusCode.BadRequest, "BadRequest", "the body is not a JSON object");
                return;
            }
        }

        HttpStatusCode code;
        string reason, message;
        JsonObject? answer = null;
        lock (gate)
        {
            if (failures.TryGetValue((method, store.Plural), out var queue) && queue.TryDequeue(out var injected))
            {
                (code, reason, message) = (injected, injected == HttpStatusCode.Conflict ? "Conflict" : "InternalError", "injected failure");
            }
            else
            {
                name ??= (string?)body!["metadata"]?["name"] ?? "";
                var key = Key(store, ns, name);
                store.Objects.TryGetValue(key, out var current);
                var sentVersion = (string?)body?["metadata"]?["resourceVersion"];
                (code, reason, message) = (HttpStatusCode.OK, "", "");
                if (method == "POST" && current is not null)
                {
                    (code, reason, message) = (HttpStatusCode.Conflict, "AlreadyExists", $"{store.Plural} \"{name}\" already exists");
                }
                else if (method != "POST" && current is null)
                {
                    (code, reason, message) = (HttpStatusCode.NotFound, "NotFound", $"{store.Plural} \"{name}\" not found");
                }
                else if (method != "POST" && !string.IsNullOrEmpty(sentVersion) && sentVersion != (string?)current!["metadata"]!["resourceVersion"])
                {
                    (code, reason, message) = (HttpStatusCode.Conflict, "Conflict",
                        $"Operation cannot be fulfilled on {store.Plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
                }
                else if (method == "DELETE")
                {
                    store.Objects.Remove(key);
                    current!["metadata"]!["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);
                    store.Writes++;
                    Publish(store, "DELETED", current);
                    answer = StatusObject(HttpStatusCode.OK, "", "");
                    answer["status"] = "Success";
                }
                else
                {
                    var next = method == "PATCH" ? MergePatch(current!.DeepClone(), body!).AsObject() : body!;
                    var meta = next["metadata"] as JsonObject ?? new JsonObject();
                    next["metadata"] = meta;
                    meta["name"] = name;
                    if (store.Namespaced)
                    {
                        meta["namespace"] = ns;
                    }

                    meta["uid"] = (string?)current?["metadata"]?["uid"] ?? Guid.NewGuid().ToString();
                    meta["creationTimestamp"] = (string?)current?["metadata"]?["creationTimestamp"] ?? DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                    meta["resourceVersion"] = (++resourceVersion).ToString(CultureInfo.InvariantCulture);
                    next["apiVersion"] = store.ApiVersion;
                    next["kind"] = store.Kind;
                    store.Objects[key] = next;
                    store.Writes++;
                    code = method == "POST" ? HttpStatusCode.Created : HttpStatusCode.OK;
                    Publish(store, method == "POST" ? "ADDED" : "MODIFIED", next);
                    answer = next.DeepClone().AsObject();
                }
            }
        }

        if (answer is null)
        {
            await WriteStatus(http, code, reason, message);
            return;
        }

        http.Response.StatusCode = (int)code;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer.ToJsonString());
    }

    /// <summary>RFC 7386 JSON merge patch.</summary>
    private static JsonNode MergePatch(JsonNode target, JsonNode patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = MergePatch(result[key]?.DeepClone() ?? new JsonObject(), value);
            }
        }

        return result;
    }

    private Task Serve(HttpContext http, string resource, string? ns)
    {
        var query = http.Request.Query;
        var watch = query["watch"] is { Count: > 0 } w && (w[0] == "true" || w[0] == "1");
        return watch ? WatchAsync(http, resources[resource], ns) : ListAsync(http, resources[resource], ns);
    }

    private async Task ListAsync(HttpContext http, Resource store, string? ns)
    {
        var limit = int.TryParse(http.Request.Query["limit"], out var l) && l > 0 ? l : int.MaxValue;
        int offset = 0;
        long listVersion;
        JsonObject[] page;
        string? next = null;
        var gone = false;
        lock (gate)
        {
            listVersion = resourceVersion;
            if (http.Request.Query["continue"] is { Count: > 0 } token && !string.IsNullOrEmpty(token[0]))
            {
                var parts = token[0]!.Split(':');
                offset = int.Parse(parts[0], CultureInfo.InvariantCulture);
                listVersion = long.Parse(parts[1], CultureInfo.InvariantCulture);
                gone = listVersion < store.CompactedAt;
            }

            // Sorted once per change, not once per page: a paged list of 100,000 objects stays linear.
            store.Sorted ??= [.. store.Objects.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Value)];
            var all = ns is null ? store.Sorted : store.Sorted.Where(o => (string?)o["metadata"]!["namespace"] == ns).ToArray();
            page = all.Skip(offset).Take(limit).Select(o => o.DeepClone().AsObject()).ToArray();
            if (offset + page.Length < all.Length)
            {
                next = $"{offset + page.Length}:{listVersion}";
            }
        }

        if (gone)
        {
            await WriteStatus(http, HttpStatusCode.Gone, "Expired", "The provided continue parameter is too old, please restart the list");
            return;
        }

        var items = new JsonArray();
        foreach (var item in page)
        {
            // Items in a list carry no apiVersion/kind, as the real apiserver sends them.
            item.Remove("apiVersion");
            item.Remove("kind");
            items.Add(item);
        }

        var metadata = new JsonObject { ["resourceVersion"] = listVersion.ToString(CultureInfo.InvariantCulture) };
        if (next is not null)
        {
            metadata["continue"] = next;
        }

        var body = new JsonObject
        {
            ["kind"] = store.Kind + "List",
            ["apiVersion"] = store.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = items,
        };
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString());
    }

    private async Task WatchAsync(HttpContext http, Resource store, string? ns)
    {
        var from = long.TryParse(http.Request.Query["resourceVersion"], out var v) ? v : 0;
        var timeout = int.TryParse(http.Request.Query["timeoutSeconds"], out var t) ? TimeSpan.FromSeconds(t) : TimeSpan.FromMinutes(30);
        var bookmarks = http.Request.Query["allowWatchBookmarks"] == "true";
        var channel = Channel.CreateUnbounded<(long Version, string Line)>();
        List<string> backlog;
        bool expired;
        CancellationToken closed;
        lock (gate)
        {
            closed = watchesClosed.Token;
            expired = from != 0 && from < store.CompactedAt;
            backlog = store.History.Where(e => e.Version > from && Matches(e.Object, ns)).Select(e => e.Line).ToList();
            if (!expired)
            {
                store.Watchers.Add((channel.Writer, ns));
            }
        }

        http.Response.ContentType = "application/json";
        await http.Response.StartAsync();
        var lifetime = http.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, closed, lifetime.ApplicationStopping);
        stop.CancelAfter(timeout);
        try
        {
            if (expired)
            {
                var status = StatusObject(HttpStatusCode.Gone, "Expired", $"too old resource version: {from} ({store.CompactedAt})");
                await WriteLine(http, new JsonObject { ["type"] = "ERROR", ["object"] = status }.ToJsonString());
                return;
            }

            foreach (var line in backlog)
            {
                await WriteLine(http, line);
            }

            using var bookmarkTimer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
            var nextEvent = channel.Reader.ReadAsync(stop.Token).AsTask();
            var nextTick = bookmarkTimer.WaitForNextTickAsync(stop.Token).AsTask();
            while (true)
            {
                var done = await Task.WhenAny(nextEvent, nextTick);
                if (done == nextEvent)
                {
                    var line = (await nextEvent).Line;
                    if (Interlocked.Exchange(ref cutNextEvent, 0) == 1)
                    {
                        await http.Response.WriteAsync(line[..(line.Length / 2)], Encoding.UTF8);
                        await http.Response.Body.FlushAsync();
                        http.Abort();
                        return;
                    }

                    await WriteLine(http, line);
                    nextEvent = channel.Reader.ReadAsync(stop.Token).AsTask();
                }
                else
                {
                    await nextTick;
                    if (bookmarks)
                    {
                        string bookmark;
                        lock (gate)
                        {
                            bookmark = new JsonObject
                            {
                                ["type"] = "BOOKMARK",
                                ["object"] = new JsonObject
                                {
                                    ["kind"] = store.Kind,
                                    ["apiVersion"] = store.ApiVersion,
                                    ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
                                },
                            }.ToJsonString();
                        }

                        await WriteLine(http, bookmark);
                    }

                    nextTick = bookmarkTimer.WaitForNextTickAsync(stop.Token).AsTask();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // timeout, client gone, CloseWatches or shutdown: end the stream
        }
        catch (IOException)
        {
        }
        finally
        {
            lock (gate)
            {
                store.Watchers.RemoveAll(w => w.Writer == channel.Writer);
            }
        }
    }

    /// <summary>Wakes <see cref="WaitUntilAsync"/>; called with <c>gate</c> held.</summary>
    private void Signal()
    {
        var signal = written;
        written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        signal.TrySetResult();
    }

    private void Publish(Resource store, string type, JsonObject obj)
    {
        store.Sorted = null;
        Signal();
        var line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString();
        store.History.Add(new Event(resourceVersion, obj, line));
        foreach (var (writer, ns) in store.Watchers)
        {
            if (Matches(obj, ns))
            {
                writer.TryWrite((resourceVersion, line));
            }
        }
    }

    private static bool Matches(JsonObject obj, string? ns) => ns is null || (string?)obj["metadata"]!["namespace"] == ns;

    private static async Task WriteLine(HttpContext http, string line)
    {
        await http.Response.WriteAsync(line + "\n", Encoding.UTF8);
        await http.Response.Body.FlushAsync();
    }

    private static string Key(Resource store, JsonObject meta) => Key(store, (string?)meta["namespace"], (string?)meta["name"] ?? "");

    /// <summary>Where an object is stored: "namespace/name", or the name of a cluster-scoped object.</summary>
    private static string Key(Resource store, string? ns, string name) => store.Namespaced ? $"{ns}/{name}" : name;

    private static JsonObject StatusObject(HttpStatusCode code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = (int)code,
    };

    private static Task WriteStatus(HttpContext http, HttpStatusCode code, string reason, string message)
    {
        http.Response.StatusCode = (int)code;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(StatusObject(code, reason, message).ToJsonString());
    }

    private sealed record Event(long Version, JsonObject Object, string Line);

    private sealed record Resource(string Plural, string ApiVersion, string Kind, bool Namespaced)
    {
        public int Writes { get; set; }

        /// <summary>The objects in key order; null after a change.</summary>
        public JsonObject[]? Sorted { get; set; }

        public Dictionary<string, JsonObject> Objects { get; } = new(StringComparer.Ordinal);

        public List<Event> History { get; } = [];

        public List<(ChannelWriter<(long Version, string Line)> Writer, string? Namespace)> Watchers { get; } = [];

        public long CompactedAt { get; set; }
    }
}
