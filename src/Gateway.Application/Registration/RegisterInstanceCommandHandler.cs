using Gateway.Domain;
using MediatR;

namespace Gateway.Application.Registration;

/// <remarks>The input has passed <see cref="RegisterInstanceCommandValidator"/> by the time it gets here.</remarks>
public sealed class RegisterInstanceCommandHandler(IRegistrationStore store, ServiceRegistry registry, StaticServices statics)
    : IRequestHandler<RegisterInstanceCommand, AdminResult<InstanceRegistration>>
{
    public async Task<AdminResult<InstanceRegistration>> Handle(RegisterInstanceCommand request, CancellationToken cancellationToken)
    {
        var registration = request.Registration;
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
        await store.RegisterAsync(registration, cancellationToken);
        return new(known ? AdminOutcome.Ok : AdminOutcome.Created, registration);
    }
}
