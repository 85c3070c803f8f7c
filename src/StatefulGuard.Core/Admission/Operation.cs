namespace StatefulGuard.Core.Admission;

public enum Operation
{
    Create,
    Update,
    Delete,
    Connect,
}
