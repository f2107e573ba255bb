using Gateway.Application.Operations;
using Gateway.Domain;
using MediatR;

namespace Gateway.Application.Registration;

/// <summary>
/// Overrides go to the registration store, which shares them with every replica (with etcd, on a lease of the override's
/// length), and act on this replica's instance at once, so that the answer and this replica's routing agree.
/// </summary>
public sealed class OverrideInstanceCommandHandler(ServiceRegistry registry, IRegistrationStore store, InstanceOverrides overrides)
    : IRequestHandler<OverrideInstanceCommand, AdminResult<InstanceOverride>>,
      IRequestHandler<RestoreInstanceCommand, AdminResult<Unit>>
{
    public async Task<AdminResult<InstanceOverride>> Handle(OverrideInstanceCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!registry.TryGetService(request.Service, out var service) || service.FindInstance(request.InstanceId) is not { } instance)
        {
            return AdminResult.NotFound($"{request.InstanceId} is not an instance of {request.Service}.");
        }

        var duration = request.Minutes > 0 ? TimeSpan.FromMinutes(request.Minutes) : (TimeSpan?)null;
        var decision = overrides.Decide(request.Reason!.Trim(), duration, request.By);
        await store.SetOverrideAsync(service.Name, instance.Id, decision, cancellationToken);
        overrides.Apply(service, instance, decision);
        return new AdminResult<InstanceOverride>(AdminOutcome.Ok, decision);
    }

    public async Task<AdminResult<Unit>> Handle(RestoreInstanceCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!registry.TryGetService(request.Service, out var service) || service.FindInstance(request.InstanceId) is not { } instance)
        {
            return AdminResult.NotFound($"{request.InstanceId} is not an instance of {request.Service}.");
        }

        if (instance.Override is null)
        {
            return AdminResult.NotFound($"{instance.Id} of {service.Name} has no override.");
        }

        // Lifted here first, so that this replica's timeline names who restored it; the others learn it from the store.
        overrides.Lift(service, instance, $"restored by {request.By}");
        await store.LiftOverrideAsync(service.Name, instance.Id, cancellationToken);
        return new AdminResult<Unit>(AdminOutcome.Removed);
    }
}
