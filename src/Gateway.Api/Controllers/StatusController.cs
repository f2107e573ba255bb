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
public sealed class StatusController(ServiceRegistry registry, IRegistrationStore store, ConfigurationState configuration) : ControllerBase
{
    private static readonly DateTimeOffset StartedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    private static readonly string Version =
        typeof(StatusController).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    /// <summary>What the gateway serves itself, so that <c>GET /</c> is a starting point.</summary>
    private static readonly Dictionary<string, string> Links = new()
    {
        ["health"] = "/health",
        ["services"] = "/services",
        ["servicesReadable"] = "/services?pretty",
        ["serviceHealth"] = "/services/{name}/health",
        ["metrics"] = "/metrics",
        ["dashboard"] = "/dashboard",
        ["events"] = "/events",
        ["proxy"] = "/{service}/{path}",
    };

    [HttpGet("/")]
    [HttpHead("/")]
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
        links = Links,
    });

    [HttpGet("/health")]
    [HttpHead("/health")]
    public IActionResult Health() => Ok(new { status = "healthy" });

    [HttpGet("/services")]
    [HttpHead("/services")]
    public Task Services() =>
        ServicesWriter.WriteAsync(Response, registry, store.State, configuration.Current, WantsIndented(Request), HttpContext.RequestAborted);

    /// <summary><c>?pretty</c>, or a client that prefers text (curl with <c>-H 'Accept: text/plain'</c>) to JSON.</summary>
    private static bool WantsIndented(HttpRequest request) =>
        request.Query.ContainsKey("pretty")
        || request.GetTypedHeaders().Accept.Any(accept => accept.MediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase));

    [HttpGet("/services/{name}/health")]
    [HttpHead("/services/{name}/health")]
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

    /// <summary>
    /// Any other method on these paths: 405 naming the methods they serve, a problem like every other error. Ordered
    /// after the actions above and before the catch-all, which would otherwise take <c>POST /health</c> for a request
    /// to a service called "health".
    /// </summary>
    [Route("/", Order = 1)]
    [Route("/health", Order = 1)]
    [Route("/services", Order = 1)]
    [Route("/services/{name}/health", Order = 1)]
    public IActionResult OtherMethod() => GatewayProblems.MethodNotAllowed(Response);
}
