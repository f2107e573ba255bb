using Gateway.Application.Edge;
using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using MediatR;

namespace Gateway.Application.Registration;

public sealed class ConfigureServiceCommandHandler(
    IRegistrationStore store, ServiceRegistry registry, StaticServices statics, IEdgeSettingsReader edge)
    : IRequestHandler<ConfigureServiceCommand, AdminResult<ServiceConfiguration>>
{
    public async Task<AdminResult<ServiceConfiguration>> Handle(ConfigureServiceCommand request, CancellationToken cancellationToken)
    {
        if (!registry.TryGetService(request.Service, out var service))
        {
            return AdminResult.NotFound($"No service is registered as '{request.Service}'.");
        }

        if (statics.Contains(service.Name))
        {
            return AdminResult.Conflict($"{service.Name} is configured; change it in the configuration.");
        }

        var settings = request.Settings with
        {
            LoadBalancer = request.Settings.LoadBalancer is { } name ? LoadBalancerNames.Parse(name) : null,
        };
        await store.ConfigureServiceAsync(service.Name, settings, cancellationToken);

        return new(AdminOutcome.Ok, new ServiceConfiguration(
            service.Name,
            settings.LoadBalancer ?? service.LoadBalancer.Name,
            settings.HealthCheckPath ?? service.HealthCheckPath,
            edge.Read(settings.Auth, settings.RateLimit).Settings));
    }
}
