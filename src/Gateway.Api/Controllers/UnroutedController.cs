using Gateway.Api.Forwarding;
using Gateway.Application.Telemetry;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Controllers;

/// <summary>Paths no other route takes, such as <c>//svc/x</c> with its empty first segment: a 404 problem, not an empty 404.</summary>
public sealed class UnroutedController(GatewayMetrics metrics) : ControllerBase
{
    // Ordered with the catch-all forward route, whose first-segment parameter takes precedence over this template's
    // catch-all first segment: only what it cannot take (no service segment) comes here.
    [Route("{**path}", Order = int.MaxValue)]
    public IActionResult Unrouted()
    {
        metrics.GatewayError(StatusCodes.Status404NotFound, "no_route");
        return GatewayProblems.Create(
            StatusCodes.Status404NotFound, "Not found", "No route serves this path: a proxied path starts with a service name, as /{service}/{path}.");
    }
}
