using System.Text.Json;
using Gateway.Api.Forwarding;
using Gateway.Api.Registry;
using Gateway.Api.Status;
using Gateway.Application.Registration;
using Gateway.Application.Traffic;
using MediatR;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Controllers;

/// <summary>Run-time registration: services register, heartbeat, drain and leave through here.</summary>
[Route("admin/services/{name}")]
[TypeFilter<AdminKeyFilter>]
public sealed class AdminController(IMediator mediator) : ControllerBase
{
    /// <summary>
    /// The admin API's own body limit, or MAX_REQUEST_BODY_SIZE where that is smaller: a registration is a few hundred
    /// bytes, and what the parser reads is held in memory.
    /// </summary>
    public const long MaxBodySize = 64 * 1024;

    // Field names match case-insensitively, as in the registry file; numbers must be JSON numbers.
    private static readonly JsonSerializerOptions BodyJson = new() { PropertyNameCaseInsensitive = true };

    [HttpPost("instances")]
    public async Task<IActionResult> Register([FromRoute] string name)
    {
        var (body, problem) = await ReadBodyAsync<InstanceBody>();
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Host is null || body.Port is null)
        {
            return Invalid(body.Host is null ? "host" : "port", "is required");
        }

        var registration = new InstanceRegistration(
            name, body.Host, body.Port.Value, body.Weight ?? 1, body.Scheme?.ToLowerInvariant() ?? "http", body.TtlSeconds)
        {
            Version = body.Version,
            Metadata = body.Metadata,
        };
        var result = await mediator.Send(new RegisterInstanceCommand(registration), HttpContext.RequestAborted);
        return Answer(result, static registered => new RegisteredInstance(
            registered.Id,
            registered.Service,
            registered.Host,
            registered.Port,
            registered.Weight,
            registered.Scheme,
            registered.TtlSeconds,
            registered.Version,
            registered.Metadata ?? new Dictionary<string, string>()));
    }

    [HttpPut("instances/{id}/heartbeat")]
    public async Task<IActionResult> Heartbeat([FromRoute] string name, [FromRoute] string id) =>
        Answer(await mediator.Send(new RenewInstanceCommand(name, id), HttpContext.RequestAborted), _ => new RenewedInstance(id, true));

    [HttpDelete("instances/{id}")]
    public async Task<IActionResult> Remove([FromRoute] string name, [FromRoute] string id) =>
        Answer(await mediator.Send(new RemoveInstanceCommand(name, id), HttpContext.RequestAborted), static _ => null);

    [HttpPost("instances/{id}/drain")]
    public async Task<IActionResult> Drain([FromRoute] string name, [FromRoute] string id) =>
        Answer(
            await mediator.Send(new DrainInstanceCommand(name, id), HttpContext.RequestAborted),
            static draining => new DrainedInstance(draining.Service, draining.InstanceId, true));

    [HttpPost("instances/{id}/override")]
    public async Task<IActionResult> Override([FromRoute] string name, [FromRoute] string id)
    {
        var (body, problem) = await ReadBodyAsync<OverrideBody>();
        if (problem is not null)
        {
            return problem;
        }

        var by = AdminKeyFilter.CallerOf(HttpContext);
        if (body!.Out is false)
        {
            return await Restore(name, id);
        }

        return Answer(
            await mediator.Send(new OverrideInstanceCommand(name, id, body.Minutes ?? 0, body.Reason, by), HttpContext.RequestAborted),
            static decision => OverrideView.From(decision));
    }

    [HttpDelete("instances/{id}/override")]
    public async Task<IActionResult> Restore([FromRoute] string name, [FromRoute] string id) =>
        Answer(
            await mediator.Send(new RestoreInstanceCommand(name, id, AdminKeyFilter.CallerOf(HttpContext)), HttpContext.RequestAborted),
            static _ => null);

    [HttpPut("")]
    public async Task<IActionResult> Configure([FromRoute] string name)
    {
        var (body, problem) = await ReadBodyAsync<ServiceBody>();
        return problem ?? Answer(
            await mediator.Send(
                new ConfigureServiceCommand(name, new ServiceSettings(body!.LoadBalancer, body.HealthCheckPath) { Auth = body.Auth, RateLimit = body.RateLimit }),
                HttpContext.RequestAborted),
            static configured => ConfiguredService.From(configured));
    }

    [HttpPut("split")]
    public async Task<IActionResult> Split([FromRoute] string name)
    {
        var (body, problem) = await ReadBodyAsync<SplitBody>();
        return problem ?? Answer(
            await mediator.Send(new SetSplitCommand(name, body!.Weights), HttpContext.RequestAborted),
            static split => new ServiceSplitView(
                split.Service, split.Weights.ToDictionary(weight => weight.Version, weight => weight.Weight), split.StickyBy));
    }

    /// <summary>The one mapping from an admin outcome to HTTP; <paramref name="shape"/> gives a success its body.</summary>
    private ObjectResult Answer<TValue>(AdminResult<TValue> result, Func<TValue, object?> shape) => result.Outcome switch
    {
        AdminOutcome.Ok => Ok(Body(result, shape)),
        AdminOutcome.Created => StatusCode(StatusCodes.Status201Created, Body(result, shape)),
        AdminOutcome.Accepted => StatusCode(StatusCodes.Status202Accepted, Body(result, shape)),
        AdminOutcome.Removed => StatusCode(StatusCodes.Status204NoContent, null),
        AdminOutcome.NotFound => GatewayProblems.Create(StatusCodes.Status404NotFound, "Not found", result.Message ?? "Not found."),
        AdminOutcome.Conflict => GatewayProblems.Create(StatusCodes.Status409Conflict, "Conflict", result.Message ?? "Conflict."),
        AdminOutcome.Invalid => Invalid(result.Field ?? "body", result.Message ?? "is invalid"),
        AdminOutcome.StoreUnavailable => GatewayProblems.Create(
            StatusCodes.Status503ServiceUnavailable, "Registry store unavailable", result.Message ?? "The registry store cannot be reached."),
        _ => throw new InvalidOperationException($"Unexpected admin outcome {result.Outcome}."),
    };

    private static object? Body<TValue>(AdminResult<TValue> result, Func<TValue, object?> shape) =>
        result.Value is { } value ? shape(value) : null;

    private static ObjectResult Invalid(string field, string message)
    {
        var problem = GatewayProblems.Create(StatusCodes.Status400BadRequest, "Invalid input", $"{field}: {message}");
        ((Microsoft.AspNetCore.Mvc.ProblemDetails)problem.Value!).Extensions["field"] = field;
        return problem;
    }

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer.</summary>
    /// <remarks>
    /// The parser reads the body as it arrives, a buffer at a time, and the server stops it at the limit whatever
    /// length the body claims or however it is chunked.
    /// </remarks>
    private async Task<(T? Body, ObjectResult? Problem)> ReadBodyAsync<T>()
        where T : class
    {
        var limit = HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (limit is { IsReadOnly: false } && !(limit.MaxRequestBodySize <= MaxBodySize))
        {
            limit.MaxRequestBodySize = MaxBodySize;
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(Request.Body, BodyJson, HttpContext.RequestAborted) is { } body
                ? (body, null)
                : (null, Invalid("body", "is not a JSON object"));
        }
        catch (JsonException error)
        {
            return (null, InvalidJson<T>(error));
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, GatewayProblems.Create(
                StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The admin API accepts request bodies of up to {limit?.MaxRequestBodySize} bytes."));
        }
        catch (BadHttpRequestException)
        {
            return (null, Invalid("body", "could not be read to its end"));
        }
    }

    /// <summary>Names the field whose value has the wrong type, or the body when it is not a JSON object at all.</summary>
    private static ObjectResult InvalidJson<T>(JsonException error)
    {
        // "$.weights.2" names the property "weights": its entries have no property of their own.
        var name = error.Path is { } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..].Split('.', '[')[0] : null;
        var property = typeof(T).GetProperties().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (property is null)
        {
            return Invalid("body", "is not a JSON object");
        }

        var field = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return Invalid(field, type == typeof(string) ? "must be a string"
            : type == typeof(bool) ? "must be true or false"
            : type == typeof(double) ? "must be a number"
            : type == typeof(Dictionary<string, int>) ? "must be an object of whole numbers"
            : type == typeof(Dictionary<string, string>) ? "must be an object of strings"
            : "must be a whole number");
    }

    private sealed record InstanceBody(
        string? Host, int? Port, int? Weight, string? Scheme, int? TtlSeconds, string? Version, Dictionary<string, string>? Metadata);

    private sealed record SplitBody(Dictionary<string, int>? Weights);

    private sealed record ServiceBody(string? LoadBalancer, string? HealthCheckPath, JsonElement? Auth, JsonElement? RateLimit);

    private sealed record OverrideBody(bool? Out, double? Minutes, string? Reason);

    // What the admin API answers: the wire shape lives here, apart from what the commands produce.
    private sealed record RegisteredInstance(
        string Id,
        string Service,
        string Host,
        int Port,
        int Weight,
        string Scheme,
        int? TtlSeconds,
        string? Version,
        IReadOnlyDictionary<string, string> Metadata);

    private sealed record ServiceSplitView(string Name, IReadOnlyDictionary<string, int> Weights, string? StickyBy);

    private sealed record RenewedInstance(string Id, bool Renewed);

    private sealed record DrainedInstance(string Service, string Id, bool Draining);

    /// <summary>A service's settings as the admin API shows them: of the authentication, its type only.</summary>
    private sealed record ConfiguredService(string Name, string LoadBalancer, string HealthCheckPath, ConfiguredAuth? Auth, ConfiguredRateLimit? RateLimit)
    {
        public static ConfiguredService From(ServiceConfiguration configured) => new(
            configured.Name,
            configured.LoadBalancer,
            configured.HealthCheckPath,
            configured.Edge?.AuthType is { } type ? new ConfiguredAuth(type) : null,
            configured.Edge?.RateLimit is { } limit
                ? new ConfiguredRateLimit(limit.PermitsPerSecond, limit.Burst, limit.PartitionBy.ToString(), limit.MaxConcurrent)
                : null);
    }

    private sealed record ConfiguredAuth(string Type);

    private sealed record ConfiguredRateLimit(double PermitsPerSecond, int Burst, string PartitionBy, int MaxConcurrent);
}
