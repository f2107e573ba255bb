using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Controllers;

/// <summary>The gateway's own endpoints.</summary>
[ApiController]
public sealed class StatusController : ControllerBase
{
    [HttpGet("/health")]
    public IActionResult Health() => Ok(new { status = "healthy" });
}
