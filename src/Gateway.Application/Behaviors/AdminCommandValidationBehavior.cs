using Gateway.Application.Registration;
using MediatR;

namespace Gateway.Application.Behaviors;

/// <summary>Answers invalid input before the handler runs, so a handler only ever sees input it can act on.</summary>
public sealed class AdminCommandValidationBehavior<TCommand, TValue>(IAdminCommandValidator<TCommand> validator)
    : IPipelineBehavior<TCommand, AdminResult<TValue>>
    where TCommand : IAdminCommand<TValue>
{
    public Task<AdminResult<TValue>> Handle(
        TCommand request, CancellationToken cancellationToken, RequestHandlerDelegate<AdminResult<TValue>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return validator.Check(request) is { } problem
            ? Task.FromResult<AdminResult<TValue>>(AdminResult.Invalid(problem.Field, problem.Message))
            : next();
    }
}
