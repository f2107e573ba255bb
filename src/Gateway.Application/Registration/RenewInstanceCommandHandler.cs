using MediatR;

namespace Gateway.Application.Registration;

public sealed class RenewInstanceCommandHandler(IRegistrationStore store) : IRequestHandler<RenewInstanceCommand, AdminResult<Unit>>
{
    public async Task<AdminResult<Unit>> Handle(RenewInstanceCommand request, CancellationToken cancellationToken) =>
        await store.RenewAsync(request.Service, request.InstanceId, cancellationToken)
            ? new AdminResult<Unit>(AdminOutcome.Ok)
            : AdminResult.NotFound($"{request.InstanceId} is not registered in {request.Service}, or its lease ran out.");
}
