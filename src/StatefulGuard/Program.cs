using StatefulGuard.Commands;

return await CommandLine.RunAsync(args, Console.In, Console.Out, Console.Error);

/// <summary>The <c>statefulguard</c> executable (public so tests can host it).</summary>
public partial class Program;
