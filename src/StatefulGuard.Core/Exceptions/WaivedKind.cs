namespace StatefulGuard.Core.Exceptions;

/// <summary>The kind of object an exception names: a StatefulSet (<c>spec.statefulSets</c>) or a Service (<c>spec.services</c>).</summary>
public enum WaivedKind
{
    StatefulSet,
    Service,
}
