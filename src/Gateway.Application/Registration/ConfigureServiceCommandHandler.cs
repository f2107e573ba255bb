using Gateway.Domain;
using Gateway.Domain.LoadBalancing;
using MediatR;

namespace Gateway.Application.Registration;

public sealed class ConfigureServiceCommandHandler(IRegistrationStore store, ServiceRegistry registry, StaticServices statics)
    : IRequestHandler<ConfigureServiceCommand, AdminResult>
{
    public async Task<AdminResult> Handle(ConfigureServiceCommand request, CancellationToken cancellationToken)
    {
        if (RegistrationRules.Check(request.Settings) is { } problem)
        {
            return AdminResult.Invalid(problem.Field, problem.Message);
        }

        if (!registry.TryGetService(request.Service, out var service))
        {
            return AdminResult.NotFound($"No service is registered as '{request.Service}'.");
        }

        if (statics.Contains(service.Name))
        {
            return AdminResult.Conflict($"{service.Name} is configured; change it in the configuration.");
        }

        var settings = new ServiceSettings(
            request.Settings.LoadBalancer is { } name ? LoadBalancerNames.Parse(name) : null,
            request.Settings.HealthCheckPath);
        try
        {
            await store.ConfigureServiceAsync(service.Name, settings, cancellationToken);
        }
        catch (RegistrationStoreUnavailableException error)
        {
            return new AdminResult(AdminOutcome.StoreUnavailable, error.Message);
        }

        return new AdminResult(AdminOutcome.Ok, Value: new
        {
            name = service.Name,
            loadBalancer = settings.LoadBalancer ?? service.LoadBalancer.Name,
            healthCheckPath = settings.HealthCheckPath ?? service.HealthCheckPath,
        });
    }
}
