namespace StatefulGuard.Configuration;

public enum LogFormat
{
    Text,
    Json,
}
