using Gateway.Domain;
using MediatR;

namespace Gateway.Application.Registration;

public sealed class RemoveInstanceCommandHandler(IRegistrationStore store, ServiceRegistry registry)
    : IRequestHandler<RemoveInstanceCommand, AdminResult<Unit>>
{
    public async Task<AdminResult<Unit>> Handle(RemoveInstanceCommand request, CancellationToken cancellationToken)
    {
        if (!registry.TryGetService(request.Service, out var service) || service.FindInstance(request.InstanceId) is not { } instance)
        {
            return AdminResult.NotFound($"{request.InstanceId} is not an instance of {request.Service}.");
        }

        if (!instance.IsDynamic)
        {
            return AdminResult.Conflict($"{instance.Id} is configured in {service.Name}: it can be drained, not removed.");
        }

        return await store.RemoveAsync(service.Name, instance.Id, cancellationToken)
            ? new AdminResult<Unit>(AdminOutcome.Removed)
            : AdminResult.NotFound($"{instance.Id} is no longer registered in {service.Name}.");
    }
}
