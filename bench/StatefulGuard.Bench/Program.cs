using BenchmarkDotNet.Running;
using StatefulGuard.Bench;

// bench tool: floor | fake-apiserver | micro
return args.FirstOrDefault() switch
{
    "floor" => await Floor.RunAsync(args[1..]),
    "fake-apiserver" => await ApiServer.RunAsync(args[1..]),
    "micro" => Micro(args[1..]),
    "slow-clients" => await SlowClients.RunAsync(args[1..]),
    "html-render" => await HtmlRender.RunAsync(args[1..]),
    _ => Usage(),
};

static int Micro(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(args);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: StatefulGuard.Bench floor --urls URL --cert FILE --key FILE | fake-apiserver --kubeconfig FILE | micro [BenchmarkDotNet args] | slow-clients trickle --url URL --ca FILE [--connections N --trickle-bytes N] | slow-clients measure --url URL --ca FILE --body FILE [--seconds N --rate N] | html-render --file REPORT.html [--runs N --without CSS]");
    return 2;
}
