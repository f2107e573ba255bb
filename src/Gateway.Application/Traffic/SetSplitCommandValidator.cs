using Gateway.Application.Registration;
using Gateway.Domain;
using Gateway.Domain.Traffic;

namespace Gateway.Application.Traffic;

/// <summary>The start-up rules for weights, and versions some instance of the service runs: a typo would leave a share unserved.</summary>
public sealed class SetSplitCommandValidator(ServiceRegistry registry) : IAdminCommandValidator<SetSplitCommand>
{
    public (string Field, string Message)? Check(SetSplitCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (TrafficSplit.Check(command.Weights) is { } problem)
        {
            return problem;
        }

        if (!registry.TryGetService(command.Service, out var service))
        {
            // The handler answers an unknown service: 404 rather than 400.
            return null;
        }

        foreach (var version in command.Weights!.Keys)
        {
            if (service.Versions?.Find(version) is null)
            {
                var known = service.Versions?.Names ?? [];
                return ($"weights.{version}", known.Count == 0
                    ? $"no instance of {service.Name} runs version '{version}': none names a version"
                    : $"no instance of {service.Name} runs version '{version}' (versions: {string.Join(", ", known)})");
            }
        }

        return null;
    }
}
