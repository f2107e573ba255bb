using Gateway.Api;
using Gateway.Application;
using Gateway.Infrastructure;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSerilog((services, logger) => logger
    .ReadFrom.Configuration(builder.Configuration)
    .WriteTo.Console());

builder.Services
    .AddGatewayApplication()
    .AddGatewayInfrastructure(builder.Configuration)
    .AddGatewayApi(builder.Configuration);

var app = builder.Build();

app.MapControllers();

app.Run();

/// <summary>The entry point, visible to the integration tests' host factory.</summary>
public partial class Program;
