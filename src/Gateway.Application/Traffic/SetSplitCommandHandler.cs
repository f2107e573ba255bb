using Gateway.Application.Registration;
using Gateway.Domain;
using Gateway.Domain.Traffic;
using MediatR;

namespace Gateway.Application.Traffic;

public sealed class SetSplitCommandHandler(IRegistrationStore store, ServiceRegistry registry)
    : IRequestHandler<SetSplitCommand, AdminResult<ServiceSplit>>
{
    public async Task<AdminResult<ServiceSplit>> Handle(SetSplitCommand request, CancellationToken cancellationToken)
    {
        if (!registry.TryGetService(request.Service, out var service))
        {
            return AdminResult.NotFound($"No service is registered as '{request.Service}'.");
        }

        // Through the store, like every run-time change: each replica, this one included, applies it from there.
        var weights = request.Weights!;
        await store.SetSplitAsync(service.Name, weights, cancellationToken);
        var split = TrafficSplit.Create(weights, service.Versions?.Split?.StickyBy);
        return new(AdminOutcome.Ok, new ServiceSplit(service.Name, split.Weights, split.StickyBy?.ToString()));
    }
}
