using System.Text.Json.Serialization;
using Gateway.Application.Registration;

namespace Gateway.Api.Status;

/// <summary>
/// Serialization code for the status views, generated at build time: the same camel-case names and written nulls as
/// MVC's web defaults give them, without reflection, so <c>GET /services</c> over thousands of instances stays cheap.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    GenerationMode = JsonSourceGenerationMode.Serialization,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ServiceView))]
[JsonSerializable(typeof(StoreState))]
[JsonSerializable(typeof(ConfigurationStatus))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
