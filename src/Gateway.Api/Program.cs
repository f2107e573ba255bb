using Gateway.Api;
using Gateway.Api.Hosting;
using Gateway.Api.Logging;
using Gateway.Api.Telemetry;
using Gateway.Application;
using Gateway.Infrastructure;
using Microsoft.Extensions.Options;
using Serilog;

// Before anything opens a descriptor: the connection cap's default is derived from the raised limit.
DescriptorLimit.Raise();
try
{
    // Inside the try: a malformed appsettings.json fails here, and deserves the same one line as a bad setting.
    var builder = WebApplication.CreateBuilder(args);

    // The host's own logger, not the static one: with the static logger, every host in a process would log through the
    // one built last, and the first to stop would silence the others.
    // With OTLP on, Serilog also hands its events to the framework's providers, among them the OTLP log exporter.
    builder.Services.AddSerilog(
        SerilogSetup.Configure, preserveStaticLogger: true, writeToProviders: OtlpSetup.IsEnabled(builder.Configuration));

    builder.Services
        .AddGatewayApplication()
        .AddGatewayInfrastructure(builder.Configuration)
        .AddGatewayApi(builder.Configuration)
        .AddGatewayOtlp(builder.Configuration);

    var app = builder.Build();
    // Every setting is checked before anything listens or logs, so a bad one stops start-up with a single line.
    app.Services.GetService<IStartupValidator>()?.Validate();

    var connections = app.Services.GetRequiredService<ConnectionLimiter>();
    app.Use((context, next) =>
    {
        connections.RequestStarted(context.Features);
        return next(context);
    });
    app.UseTraceHeader();
    app.UseExceptionHandler();
    // Only requests from a browser's script carry Origin; for the others the middleware would do nothing but mark
    // the request and open a service scope to find its policy.
    app.UseWhen(static context => context.Request.Headers.Origin.Count > 0, static cors => cors.UseCors());
    app.MapGatewayMetrics();
    app.MapControllers();

    await app.RunAsync();
    return 0;
}
catch (Exception error) when (StartupFailure.TryDescribe(error, out var message))
{
    await Console.Error.WriteLineAsync(message);
    return StartupFailure.ConfigurationExitCode;
}

/// <summary>The entry point, visible to the integration tests' host factory.</summary>
public partial class Program;
