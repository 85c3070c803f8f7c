namespace StatefulGuard.Core.Cluster;

/// <summary>
/// A selector compared with a set of labels. <see cref="Agreements"/> counts requirements met with a value (a
/// matchLabels pair or an <c>In</c>); <see cref="MissingKeys"/> requirements on labels the set lacks;
/// <see cref="OtherValues"/> requirements that want another value of a label the set has; <see cref="Excludes"/>
/// is set when a <c>NotIn</c> or <c>DoesNotExist</c> term rules these labels out on purpose.
/// <see cref="Unmet"/> are the key and value each unmet requirement asks for.
/// </summary>
public sealed record SelectorComparison(int Agreements, int MissingKeys, int OtherValues, bool Excludes, IReadOnlyList<KeyValuePair<string, string>> Unmet)
{
    public bool Selects => MissingKeys == 0 && OtherValues == 0 && !Excludes;
}
