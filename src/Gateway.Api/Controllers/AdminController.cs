using System.Text.Json;
using Gateway.Api.Forwarding;
using Gateway.Api.Registry;
using Gateway.Application.Registration;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Controllers;

/// <summary>Run-time registration: services register, heartbeat, drain and leave through here.</summary>
[Route("admin/services/{name}")]
[TypeFilter<AdminKeyFilter>]
public sealed class AdminController(IMediator mediator) : ControllerBase
{
    [HttpPost("instances")]
    public async Task<IActionResult> Register([FromRoute] string name)
    {
        var (body, problem) = await ReadObjectAsync();
        if (problem is not null)
        {
            return problem;
        }

        if (!TryGetString(body, "host", required: true, out var host, out problem)
            || !TryGetInt(body, "port", required: true, out var port, out problem)
            || !TryGetInt(body, "weight", required: false, out var weight, out problem)
            || !TryGetString(body, "scheme", required: false, out var scheme, out problem)
            || !TryGetInt(body, "ttlSeconds", required: false, out var ttl, out problem))
        {
            return problem!;
        }

        var registration = new InstanceRegistration(name, host!, port!.Value, weight ?? 1, scheme?.ToLowerInvariant() ?? "http", ttl);
        var result = await mediator.Send(new RegisterInstanceCommand(registration), HttpContext.RequestAborted);
        return result.Value is InstanceRegistration registered
            ? Answer(result, new
            {
                id = registered.Id,
                service = registered.Service,
                registered.Host,
                registered.Port,
                registered.Weight,
                registered.Scheme,
                registered.TtlSeconds,
            })
            : Answer(result);
    }

    [HttpPut("instances/{id}/heartbeat")]
    public async Task<IActionResult> Heartbeat([FromRoute] string name, [FromRoute] string id) =>
        Answer(await mediator.Send(new RenewInstanceCommand(name, id), HttpContext.RequestAborted), new { id, renewed = true });

    [HttpDelete("instances/{id}")]
    public async Task<IActionResult> Remove([FromRoute] string name, [FromRoute] string id) =>
        Answer(await mediator.Send(new RemoveInstanceCommand(name, id), HttpContext.RequestAborted));

    [HttpPost("instances/{id}/drain")]
    public async Task<IActionResult> Drain([FromRoute] string name, [FromRoute] string id) =>
        Answer(await mediator.Send(new DrainInstanceCommand(name, id), HttpContext.RequestAborted));

    [HttpPut("")]
    public async Task<IActionResult> Configure([FromRoute] string name)
    {
        var (body, problem) = await ReadObjectAsync();
        if (problem is not null)
        {
            return problem;
        }

        if (!TryGetString(body, "loadBalancer", required: false, out var loadBalancer, out problem)
            || !TryGetString(body, "healthCheckPath", required: false, out var path, out problem))
        {
            return problem!;
        }

        return Answer(await mediator.Send(
            new ConfigureServiceCommand(name, new ServiceSettings(loadBalancer, path)), HttpContext.RequestAborted));
    }

    /// <summary>The one mapping from an admin outcome to HTTP.</summary>
    private ObjectResult Answer(AdminResult result, object? value = null) => result.Outcome switch
    {
        AdminOutcome.Ok => Ok(value ?? result.Value),
        AdminOutcome.Created => StatusCode(StatusCodes.Status201Created, value ?? result.Value),
        AdminOutcome.Accepted => StatusCode(StatusCodes.Status202Accepted, value ?? result.Value),
        AdminOutcome.Removed => StatusCode(StatusCodes.Status204NoContent, null),
        AdminOutcome.NotFound => GatewayProblems.Create(StatusCodes.Status404NotFound, "Not found", result.Message!),
        AdminOutcome.Conflict => GatewayProblems.Create(StatusCodes.Status409Conflict, "Conflict", result.Message!),
        AdminOutcome.Invalid => Invalid(result.Field!, result.Message!),
        AdminOutcome.StoreUnavailable => GatewayProblems.Create(
            StatusCodes.Status503ServiceUnavailable, "Registry store unavailable", result.Message!),
        _ => throw new InvalidOperationException($"Unexpected admin outcome {result.Outcome}."),
    };

    private static ObjectResult Invalid(string field, string message)
    {
        var problem = GatewayProblems.Create(StatusCodes.Status400BadRequest, "Invalid input", $"{field}: {message}");
        ((Microsoft.AspNetCore.Mvc.ProblemDetails)problem.Value!).Extensions["field"] = field;
        return problem;
    }

    /// <summary>The body as a JSON object, or the problem to answer: read whole, since admin bodies are small.</summary>
    private async Task<(JsonElement Body, ObjectResult? Problem)> ReadObjectAsync()
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(Request.Body, default, HttpContext.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (default, Invalid("body", "is not a JSON object"));
        }
        catch (JsonException)
        {
            return (default, Invalid("body", "is not JSON"));
        }
    }

    private static bool TryGetString(JsonElement body, string field, bool required, out string? value, out ObjectResult? problem)
    {
        value = null;
        problem = null;
        if (!TryGetProperty(body, field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            problem = required ? Invalid(field, "is required") : null;
            return !required;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            problem = Invalid(field, "must be a string");
            return false;
        }

        value = element.GetString();
        return true;
    }

    private static bool TryGetInt(JsonElement body, string field, bool required, out int? value, out ObjectResult? problem)
    {
        value = null;
        problem = null;
        if (!TryGetProperty(body, field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            problem = required ? Invalid(field, "is required") : null;
            return !required;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var number))
        {
            problem = Invalid(field, "must be a whole number");
            return false;
        }

        value = number;
        return true;
    }

    /// <summary>Field names match case-insensitively, as in the registry file.</summary>
    private static bool TryGetProperty(JsonElement body, string field, out JsonElement value)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (property.Name.Equals(field, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
