using SampleService;

if (SampleServiceArguments.IsHelpRequested(args))
{
    Console.WriteLine(SampleServiceArguments.Usage);
    return 0;
}

if (!SampleServiceArguments.TryParse(args, out var arguments, out var error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(SampleServiceArguments.Usage);
    return 2;
}

// The flags are parsed above; the builder gets none of them, so "--port", "--name" or "--admin-key" are not also
// read as configuration keys (standard ASP.NET settings still come from environment variables).
var builder = WebApplication.CreateBuilder();

builder.Logging.AddSimpleConsole(options =>
{
    options.SingleLine = true;
    options.TimestampFormat = "HH:mm:ss ";
});

// Our own lines replace the framework's: one per request instead of "Request starting" and "Request finished",
// and one naming the instance instead of "Now listening on".
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

builder.WebHost
    .UseUrls(arguments.Url)
    // Lifts Kestrel's 30 MB default so /echo can count the large uploads used to test the gateway's streaming.
    .ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

// With --register the instance registers itself with the gateway once it listens, and leaves when it stops.
if (arguments.Registration is { } registration)
{
    builder.Services.AddSingleton(arguments);
    builder.Services.AddSingleton(registration);
    builder.Services.AddSingleton<GatewayAdminClient>();
    builder.Services.AddHostedService<SelfRegistrationWorker>();
}

var app = builder.Build();

app.UseSampleServiceConventions(arguments.Name);
app.MapSampleEndpoints(arguments.Name);

// The bound addresses are known only once the server runs, which matters for --port 0.
app.Lifetime.ApplicationStarted.Register(() =>
{
    foreach (var url in app.Urls)
    {
        Log.Listening(app.Logger, arguments.Name, url);
    }
});

await app.RunAsync();
return 0;
