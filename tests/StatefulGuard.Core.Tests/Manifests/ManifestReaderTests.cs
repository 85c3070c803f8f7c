using StatefulGuard.Core.Manifests;

namespace StatefulGuard.Core.Tests.Manifests;

public sealed class ManifestReaderTests
{
    [Fact]
    public void Multi_document_yaml_as_helm_prints_it()
    {
        var set = ManifestReader.ReadText("chart.yaml", """
            ---
            # Source: db/templates/service.yaml
            apiVersion: v1
            kind: Service
            metadata:
              name: db
            ---
            # Source: db/templates/empty.yaml
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: db
              namespace: data
            spec:
              replicas: 3
              template:
                spec:
                  automountServiceAccountToken: false
            """);

        Assert.Empty(set.Errors);
        Assert.Equal(["Service", "StatefulSet"], set.Documents.Select(d => d.Kind));
        Assert.Equal(3, set.Documents[0].Line);
        Assert.Equal(10, set.Documents[1].Line);
        Assert.Equal("data", set.Documents[1].Namespace);
        Assert.Equal(3, set.Documents[1].Object["spec"]!["replicas"]!.GetValue<long>());
        Assert.False(set.Documents[1].Object["spec"]!["template"]!["spec"]!["automountServiceAccountToken"]!.GetValue<bool>());
    }

    [Fact]
    public void Scalars_resolve_as_kubectl_resolves_them()
    {
        var set = ManifestReader.ReadText("s.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: s}
            data:
              quoted: "true"
              plain: yes
              version: 1.10
              octalish: "0755"
              hex: 0x1F
              nothing: ~
              text: hello world
            """);
        var data = Assert.Single(set.Documents).Object["data"]!;
        Assert.Equal("true", data["quoted"]!.GetValue<string>());
        Assert.True(data["plain"]!.GetValue<bool>());
        Assert.Equal(1.1, data["version"]!.GetValue<double>());
        Assert.Equal("0755", data["octalish"]!.GetValue<string>());
        Assert.Equal(31, data["hex"]!.GetValue<long>());
        Assert.Null(data["nothing"]);
        Assert.Equal("hello world", data["text"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("! 5", "5")]
    [InlineData("! true", "true")]
    [InlineData("! ~", "~")]
    [InlineData("!!str 0x1F", "0x1F")]
    public void The_non_specific_tag_makes_a_scalar_a_string_and_it_is_written_back_as_one(string written, string text)
    {
        var read = ManifestReader.ReadText("t.yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: t}}\ndata:\n  v: {written}\n");
        var value = Assert.Single(read.Documents).Object["data"]!["v"]!;
        Assert.Equal(text, value.GetValue<string>());

        var again = ManifestReader.ReadText("again.yaml", YamlWriter.Write(read.Documents[0].Object));
        Assert.Equal(text, Assert.Single(again.Documents).Object["data"]!["v"]!.GetValue<string>());
    }

    [Fact]
    public void Json_and_kind_List_items_get_their_own_lines()
    {
        var set = ManifestReader.ReadText("list.json", """
            {
              "apiVersion": "v1",
              "kind": "List",
              "items": [
                { "apiVersion": "v1", "kind": "Service", "metadata": { "name": "a" } },
                { "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": { "name": "a" } }
              ]
            }
            """);
        Assert.Empty(set.Errors);
        Assert.Equal([5, 6], set.Documents.Select(d => d.Line));
    }

    [Fact]
    public void A_broken_document_is_reported_with_its_line_and_earlier_documents_are_kept()
    {
        var set = ManifestReader.ReadText("broken.yaml", """
            apiVersion: v1
            kind: Service
            metadata:
              name: ok
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: [unclosed
            """);
        Assert.Equal("ok", Assert.Single(set.Documents).Name);
        var error = Assert.Single(set.Errors);
        Assert.True(error.Line >= 9, error.ToString());
    }

    [Theory]
    [InlineData("a: 1\na: 2\n", "duplicate key")]
    [InlineData("- just\n- a list\n", "must be an object")]
    [InlineData("kind: Service\nmetadata: {}\n", "no apiVersion or kind")]
    public void Documents_that_are_not_objects_are_errors(string text, string expected)
    {
        var set = ManifestReader.ReadText("x.yaml", text);
        Assert.Empty(set.Documents);
        Assert.Contains(expected, Assert.Single(set.Errors).Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Alias_bombs_are_bounded()
    {
        var lines = new List<string> { "apiVersion: v1", "kind: ConfigMap", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 9; i++)
        {
            lines.Add($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]");
        }

        var set = ManifestReader.ReadText("bomb.yaml", string.Join("\n", lines));
        Assert.Empty(set.Documents);
        Assert.Contains("alias bomb", Assert.Single(set.Errors).Message);
    }

    [Fact]
    public void Deep_nesting_is_bounded()
    {
        var set = ManifestReader.ReadText("deep.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: " + new string('[', 500) + new string(']', 500));
        Assert.Empty(set.Documents);
        Assert.Contains("nesting", Assert.Single(set.Errors).Message);
    }

    [Fact]
    public void Directories_are_read_recursively_and_missing_paths_reported()
    {
        var dir = Directory.CreateTempSubdirectory("sg-manifests-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "nested"));
            File.WriteAllText(Path.Combine(dir.FullName, "nested", "svc.yml"), "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n");
            File.WriteAllText(Path.Combine(dir.FullName, "readme.md"), "# not a manifest");
            var set = ManifestReader.ReadPaths([dir.FullName, Path.Combine(dir.FullName, "missing.yaml")]);
            Assert.Single(set.Documents);
            Assert.Contains("no such file", Assert.Single(set.Errors).Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Stdin_is_read_for_dash()
    {
        var set = ManifestReader.ReadPaths(["-"], new StringReader("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"));
        Assert.Equal("-", Assert.Single(set.Documents).Source);
    }
}
