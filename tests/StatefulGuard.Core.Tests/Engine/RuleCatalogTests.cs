using System.Globalization;
using Microsoft.Extensions.Configuration;
using StatefulGuard.Core.Engine;
using StatefulGuard.Core.Rules;

namespace StatefulGuard.Core.Tests.Engine;

/// <summary>
/// The catalogue is written at compile time and each options type binds through its own generated code: these check
/// that nothing is left out of either.
/// </summary>
public sealed class RuleCatalogTests
{
    public static TheoryData<string> RuleIds => [.. RuleCatalog.Default.Rules.Select(r => r.Descriptor.Id)];

    [Fact]
    public void Every_rule_class_is_in_the_catalogue()
    {
        var classes = typeof(IRule).Assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericType: false } && typeof(IRule).IsAssignableFrom(t))
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.NotEmpty(classes);
        Assert.Equal(classes, RuleCatalog.Default.Rules.Select(r => r.GetType().FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_rule_is_created_once_and_its_id_is_unique()
    {
        var ids = RuleCatalog.Default.Rules.Select(r => r.Descriptor.Id).ToArray();
        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(RuleCatalog.Default.Rules, r => Assert.Same(r, RuleCatalog.Default.Find(r.Descriptor.Id)));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Every_setting_of_a_rule_is_bound_from_its_section(string id)
    {
        var rule = RuleCatalog.Default.Find(id)!;
        var defaults = rule.NewOptions();
        Assert.IsType(rule.OptionsType, defaults);

        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var expected = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in rule.OptionsType.GetProperties().Where(p => p.CanWrite))
        {
            var (values, value) = Other(property.PropertyType, property.GetValue(defaults));
            foreach (var (suffix, text) in values)
            {
                settings[property.Name + suffix] = text;
            }

            expected[property.Name] = value;
        }

        var bound = rule.NewOptions();
        bound.BindFrom(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        foreach (var (name, value) in expected)
        {
            Assert.Equal(value, rule.OptionsType.GetProperty(name)!.GetValue(bound));
        }
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void A_key_no_setting_has_is_an_error(string id)
    {
        var options = RuleCatalog.Default.Find(id)!.NewOptions();
        var section = new ConfigurationBuilder().AddInMemoryCollection([new("NoSuchSetting", "1")]).Build();

        var error = Assert.Throws<InvalidOperationException>(() => options.BindFrom(section));
        Assert.Contains("NoSuchSetting", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Configuration text for a value other than <paramref name="current"/>, and that value as bound.</summary>
    private static (IEnumerable<(string Suffix, string Text)> Settings, object? Value) Other(Type type, object? current)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(bool))
        {
            var value = !(current as bool? ?? false);
            return ([("", value ? "true" : "false")], value);
        }

        if (underlying == typeof(int))
        {
            var value = (current as int? ?? 0) + 7;
            return ([("", value.ToString(CultureInfo.InvariantCulture))], value);
        }

        if (underlying == typeof(string))
        {
            var value = current + "-other";
            return ([("", value)], value);
        }

        if (underlying == typeof(string[]))
        {
            string[] value = ["first", "second"];
            return ([(":0", value[0]), (":1", value[1])], value);
        }

        if (underlying.IsEnum)
        {
            var value = Enum.GetValues(underlying).Cast<object>().First(v => !v.Equals(current));
            return ([("", value.ToString()!)], value);
        }

        throw new InvalidOperationException($"no test value for a setting of type {type}: add one here");
    }
}
