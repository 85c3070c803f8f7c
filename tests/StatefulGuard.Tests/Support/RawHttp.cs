using System.Net.Sockets;
using System.Text;

namespace StatefulGuard.Tests.Support;

/// <summary>HTTP/1.1 at the socket, for what clients libraries hide: a body sent slowly or not at all, and whether the server closes the connection.</summary>
public static class RawHttp
{
    /// <summary>
    /// Reads what the server sends until it closes the connection (an orderly close or a reset: a server that closes a
    /// connection with unread request data resets it), and whether it did close within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(string Answer, bool Closed)> ReadUntilClosedAsync(NetworkStream stream, TimeSpan timeout)
    {
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return (answer.ToString(), true);
        }
        catch (IOException)
        {
            return (answer.ToString(), true);
        }
        catch (OperationCanceledException)
        {
            return (answer.ToString(), false);
        }
    }
}
