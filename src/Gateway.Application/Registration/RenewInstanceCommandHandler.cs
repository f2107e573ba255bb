using MediatR;

namespace Gateway.Application.Registration;

public sealed class RenewInstanceCommandHandler(IRegistrationStore store) : IRequestHandler<RenewInstanceCommand, AdminResult>
{
    public async Task<AdminResult> Handle(RenewInstanceCommand request, CancellationToken cancellationToken)
    {
        try
        {
            return await store.RenewAsync(request.Service, request.InstanceId, cancellationToken)
                ? new AdminResult(AdminOutcome.Ok)
                : AdminResult.NotFound($"{request.InstanceId} is not registered in {request.Service}, or its lease ran out.");
        }
        catch (RegistrationStoreUnavailableException error)
        {
            return new AdminResult(AdminOutcome.StoreUnavailable, error.Message);
        }
    }
}
