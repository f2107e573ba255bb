using Gateway.Application.Operations;
using Gateway.Domain;
using MediatR;

namespace Gateway.Application.Registration;

/// <summary>
/// Overrides act on this replica's instance objects: they keep an instance out here at once, survive a reload, and
/// end by themselves. They are not shared through the registration store.
/// </summary>
public sealed class OverrideInstanceCommandHandler(ServiceRegistry registry, InstanceOverrides overrides)
    : IRequestHandler<OverrideInstanceCommand, AdminResult<InstanceOverride>>,
      IRequestHandler<RestoreInstanceCommand, AdminResult<Unit>>
{
    public Task<AdminResult<InstanceOverride>> Handle(OverrideInstanceCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!registry.TryGetService(request.Service, out var service) || service.FindInstance(request.InstanceId) is not { } instance)
        {
            return Task.FromResult<AdminResult<InstanceOverride>>(AdminResult.NotFound($"{request.InstanceId} is not an instance of {request.Service}."));
        }

        var duration = request.Minutes > 0 ? TimeSpan.FromMinutes(request.Minutes) : (TimeSpan?)null;
        var decision = overrides.Set(service, instance, request.Reason!.Trim(), duration, request.By);
        return Task.FromResult(new AdminResult<InstanceOverride>(AdminOutcome.Ok, decision));
    }

    public Task<AdminResult<Unit>> Handle(RestoreInstanceCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!registry.TryGetService(request.Service, out var service) || service.FindInstance(request.InstanceId) is not { } instance)
        {
            return Task.FromResult<AdminResult<Unit>>(AdminResult.NotFound($"{request.InstanceId} is not an instance of {request.Service}."));
        }

        return Task.FromResult(overrides.Lift(service, instance, request.By)
            ? new AdminResult<Unit>(AdminOutcome.Removed)
            : AdminResult.NotFound($"{instance.Id} of {service.Name} has no override."));
    }
}
