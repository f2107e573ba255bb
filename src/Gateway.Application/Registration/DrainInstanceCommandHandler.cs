using Gateway.Domain;
using MediatR;

namespace Gateway.Application.Registration;

public sealed class DrainInstanceCommandHandler(IRegistrationStore store, ServiceRegistry registry, DrainCoordinator drains)
    : IRequestHandler<DrainInstanceCommand, AdminResult<DrainingInstance>>
{
    public async Task<AdminResult<DrainingInstance>> Handle(DrainInstanceCommand request, CancellationToken cancellationToken)
    {
        if (!registry.TryGetService(request.Service, out var service) || service.FindInstance(request.InstanceId) is not { } instance)
        {
            return AdminResult.NotFound($"{request.InstanceId} is not an instance of {request.Service}.");
        }

        // This replica stops at once, without waiting for the store to echo the mark back; the mark stops the others.
        instance.SetDraining(true);
        await store.MarkDrainingAsync(service.Name, instance.Id, cancellationToken);

        // The answer is 202: the drain goes on in the drain worker, past this request; the task is for tests to wait on.
        _ = drains.Track(service.Name, instance);
        return new(AdminOutcome.Accepted, new DrainingInstance(service.Name, instance.Id));
    }
}
