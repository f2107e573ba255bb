using System.Diagnostics;
using System.Reflection;
using Gateway.Api.Forwarding;
using Gateway.Api.Status;
using Gateway.Application.Registration;
using Gateway.Domain;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Controllers;

/// <summary>The gateway's own endpoints; their literal routes win over the catch-all.</summary>
[ApiController]
public sealed class StatusController(ServiceRegistry registry, IRegistrationStore store) : ControllerBase
{
    private static readonly DateTimeOffset StartedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    private static readonly string Version =
        typeof(StatusController).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    [HttpGet("/")]
    public IActionResult Root() => Ok(new
    {
        name = "MSA Gateway",
        version = Version,
        status = "running",
        startedAt = StartedAt,
        // The wall clock, as the start time is: a clock injected for the gateway's schedules need not agree with it.
        uptime = Math.Round((DateTimeOffset.UtcNow - StartedAt).TotalSeconds, 3),
        services = registry.Count,
        registryStore = store.State,
    });

    [HttpGet("/health")]
    public IActionResult Health() => Ok(new { status = "healthy" });

    [HttpGet("/services")]
    public IActionResult Services() => Ok(new
    {
        services = registry.Services.OrderBy(s => s.Name, StringComparer.Ordinal).Select(ServiceView.From).ToList(),
        registryStore = store.State,
    });

    [HttpGet("/services/{name}/health")]
    public IActionResult ServiceHealth(string name)
    {
        if (!registry.TryGetService(name, out var service))
        {
            return GatewayProblems.Create(
                StatusCodes.Status404NotFound, "Unknown service", $"No service is registered as '{name}'.", name);
        }

        var view = ServiceView.From(service);
        return Ok(new { name = service.Name, healthy = view.Instances.Any(i => i.Healthy), instances = view.Instances });
    }
}
