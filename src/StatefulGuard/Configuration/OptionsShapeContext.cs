using System.Text.Json.Serialization;

namespace StatefulGuard.Configuration;

/// <summary>
/// The shape of <see cref="StatefulGuardOptions"/> and the sections inside it, for <see cref="UnknownKeys"/>: which
/// keys a section has. Never used to read or write configuration.
/// </summary>
[JsonSerializable(typeof(StatefulGuardOptions))]
internal sealed partial class OptionsShapeContext : JsonSerializerContext;
