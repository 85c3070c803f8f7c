namespace StatefulGuard.Core.Admission;

public static class OperationNames
{
    public static bool TryParse(string? value, out Operation operation)
    {
        switch (value)
        {
            case "CREATE": operation = Operation.Create; return true;
            case "UPDATE": operation = Operation.Update; return true;
            case "DELETE": operation = Operation.Delete; return true;
            case "CONNECT": operation = Operation.Connect; return true;
            default: operation = default; return false;
        }
    }

    public static string ToWire(this Operation operation) => operation switch
    {
        Operation.Create => "CREATE",
        Operation.Update => "UPDATE",
        Operation.Delete => "DELETE",
        Operation.Connect => "CONNECT",
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };
}
