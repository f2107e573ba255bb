using Gateway.Domain;
using MediatR;
using Microsoft.Extensions.Options;

namespace Gateway.Application.Registration;

public sealed class RegisterInstanceCommandHandler(
    IRegistrationStore store,
    ServiceRegistry registry,
    StaticServices statics,
    IOptions<RegistrationOptions> options,
    IGatewayAddress gatewayAddress)
    : IRequestHandler<RegisterInstanceCommand, AdminResult>
{
    public async Task<AdminResult> Handle(RegisterInstanceCommand request, CancellationToken cancellationToken)
    {
        var registration = request.Registration;
        if (RegistrationRules.Check(registration) is { } problem)
        {
            return AdminResult.Invalid(problem.Field, problem.Message);
        }

        if (options.Value.AllowedNetworks.Refusal(registration.Host) is { } refusal)
        {
            return AdminResult.Invalid("host", refusal);
        }

        if (gatewayAddress.IsGateway(registration.Host, registration.Port))
        {
            return AdminResult.Invalid("host", $"{registration.Host}:{registration.Port} is the gateway's own address: every request would come back to it.");
        }

        if (registry.TryGetService(registration.Service, out var service))
        {
            registration = registration with { Service = service.Name };
            if (service.FindInstance(registration.Id) is { IsDynamic: false })
            {
                return AdminResult.Conflict($"{registration.Id} is configured in {service.Name}; it cannot be registered too.");
            }
        }
        else if (statics.Contains(registration.Service))
        {
            return AdminResult.Conflict($"{registration.Service} is configured; it cannot be registered too.");
        }

        var known = service?.FindInstance(registration.Id) is not null;
        try
        {
            await store.RegisterAsync(registration, cancellationToken);
        }
        catch (RegistrationStoreUnavailableException error)
        {
            return new AdminResult(AdminOutcome.StoreUnavailable, error.Message);
        }

        return new AdminResult(known ? AdminOutcome.Ok : AdminOutcome.Created, Value: registration);
    }
}
