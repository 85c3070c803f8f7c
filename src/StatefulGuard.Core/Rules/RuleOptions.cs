using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;

namespace StatefulGuard.Core.Rules;

/// <summary>
/// Settings every rule has, bound from <c>StatefulGuard:Rules:&lt;rule-id&gt;</c>.
/// A rule with parameters derives its own options type from this one, and overrides <see cref="BindFrom"/>.
/// </summary>
public class RuleOptions
{
    /// <summary>What of an options type the native build keeps for reflection: its constructor and properties.</summary>
    public const DynamicallyAccessedMemberTypes Members =
        DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.PublicProperties;

    /// <summary>Overrides the rule's default action; null keeps the default.</summary>
    public RuleAction? Action { get; set; }

    /// <summary>
    /// Binds <paramref name="section"/> onto this object; a key that names no property is an error.
    /// </summary>
    /// <remarks>
    /// The configuration binding source generator writes the binding for the type it sees at the call, so a derived
    /// options type overrides this with the same one line, <c>section.Bind(this, Strict)</c>, and its own properties are
    /// bound (a test checks that every options type does).
    /// </remarks>
    /// <exception cref="InvalidOperationException">An unknown key, or a value that does not convert.</exception>
    public virtual void BindFrom(IConfiguration section) => section.Bind(this, Strict);

    /// <summary>The binder's options for rule settings: a key that names no property is an error.</summary>
    protected static void Strict(BinderOptions options) => options.ErrorOnUnknownConfiguration = true;
}
