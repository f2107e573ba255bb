using Gateway.Api.Dashboard;
using Gateway.Api.Forwarding;
using Gateway.Api.Registry;
using Gateway.Application.Operations;
using Gateway.Application.Registration;
using Gateway.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gateway.Api.Controllers;

/// <summary>
/// The live dashboard: a page that reads <c>/dashboard/data</c> and <c>/events/stream</c>, and acts through the admin
/// API with the key the operator types in. Read-only, it shows what <c>/services</c> already shows, so it needs no key.
/// </summary>
[ApiController]
public sealed class DashboardController(
    ServiceRegistry registry,
    TrafficHistory traffic,
    IRegistrationStore store,
    ConfigurationState configuration,
    IOptions<AdminOptions> admin,
    TimeProvider time) : ControllerBase
{
    private static readonly char[] NameSeparators = [','];

    [HttpGet("/dashboard")]
    [HttpHead("/dashboard")]
    public IActionResult Page() => Asset("index.html");

    [HttpGet("/dashboard/app.js")]
    [HttpHead("/dashboard/app.js")]
    public IActionResult Script() => Asset("app.js");

    [HttpGet("/dashboard/app.css")]
    [HttpHead("/dashboard/app.css")]
    public IActionResult Style() => Asset("app.css");

    /// <param name="series">Comma-separated services whose minutes of history the page charts (those on screen).</param>
    [HttpGet("/dashboard/data")]
    [HttpHead("/dashboard/data")]
    public Task Data([FromQuery] string? series)
    {
        var charted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in (series ?? "").Split(NameSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (charted.Count == DashboardDataWriter.MaxSeries)
            {
                break;
            }

            charted.Add(name);
        }

        var state = new DashboardState(registry, traffic, store.State, configuration.Current, admin.Value.Key is not null, time.GetUtcNow());
        return DashboardDataWriter.WriteAsync(Response, state, charted, HttpContext.RequestAborted);
    }

    /// <summary>Other methods on the dashboard's paths: 405, as on the gateway's other endpoints.</summary>
    [Route("/dashboard", Order = 1)]
    [Route("/dashboard/app.js", Order = 1)]
    [Route("/dashboard/app.css", Order = 1)]
    [Route("/dashboard/data", Order = 1)]
    public IActionResult OtherMethod() => GatewayProblems.MethodNotAllowed(Response);

    /// <summary>Any other path under /dashboard: a plain 404, rather than the catch-all's word that no service is called so.</summary>
    [Route("/dashboard/{**path}", Order = 2)]
    public IActionResult UnknownPath(string path) =>
        GatewayProblems.Create(
            StatusCodes.Status404NotFound, "Not found", $"The dashboard has no '{path}': it is served at /dashboard, its data at /dashboard/data.");

    private FileContentResult Asset(string name)
    {
        if (!DashboardAssets.TryGet(name, out var asset))
        {
            throw new InvalidOperationException($"No dashboard asset '{name}'.");
        }

        var headers = Response.Headers;
        headers.ContentSecurityPolicy = DashboardAssets.ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidated on every load (a 304 while unchanged), so a page opened after an upgrade runs the new script.
        headers.CacheControl = "no-cache";
        return File(asset.Content, asset.ContentType, lastModified: null, entityTag: new EntityTagHeaderValue(asset.ETag));
    }
}
