using System.Text;
using StatefulGuard.Commands;

namespace StatefulGuard.Tests.Support;

/// <summary>Inputs for the report formats, and the in-process <c>statefulguard</c> that writes them.</summary>
public static class ReportFixtures
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "reports");

    /// <summary>Reachable and budgeted, on a :latest image: warnings only.</summary>
    public static readonly string WarningsOnly = Path.Combine(Folder, "warnings-only.yaml");

    /// <summary>Markup and a control character where the reports print input.</summary>
    public static readonly string Hostile = Path.Combine(Folder, "hostile.yaml");

    public static readonly string JUnitSchema = Path.Combine(AppContext.BaseDirectory, "Fixtures", "junit", "junit.xsd");

    public static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(args, new StringReader(""), output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>
    /// <paramref name="count"/> StatefulSets across ten namespaces, every one denied (its Service is missing) and warned
    /// (no budget, no requests); every third on a :latest image.
    /// </summary>
    public static string Many(string directory, int count)
    {
        var path = Path.Combine(directory, $"many-{count}.yaml");
        using var file = new StreamWriter(path, false, new UTF8Encoding(false));
        for (var i = 0; i < count; i++)
        {
            file.Write($"""
                ---
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: db-{i}
                  namespace: team-{i % 10}
                spec:
                  serviceName: db-{i}-hs
                  replicas: 3
                  selector:
                    matchLabels:
                      app: db-{i}
                  template:
                    metadata:
                      labels:
                        app: db-{i}
                    spec:
                      containers:
                        - name: db
                          image: registry.example.com/db:{(i % 3 == 0 ? "latest" : "1.4.2")}
                          ports:
                            - name: sql
                              containerPort: 5432

                """);
        }

        return path;
    }
}
