using System.Runtime.CompilerServices;

namespace Gateway.Infrastructure.Configuration;

/// <summary>
/// What binding could not read into an options instance, kept beside the instance until <see cref="BindingValidation{TOptions}"/>
/// reports it.
/// </summary>
/// <remarks>
/// A value that cannot be parsed has no place in a typed property, and options types of the inner layers should not
/// carry a list of configuration problems; a weak table keyed by the instance keeps the lines exactly as long as the
/// instance they describe.
/// </remarks>
internal static class BindingErrors
{
    private static readonly ConditionalWeakTable<object, IReadOnlyList<string>> Recorded = [];

    public static void Record(object options, IReadOnlyList<string> errors)
    {
        if (errors.Count == 0)
        {
            Recorded.Remove(options);
        }
        else
        {
            Recorded.AddOrUpdate(options, [.. errors]);
        }
    }

    public static IReadOnlyList<string> Of(object options) => Recorded.TryGetValue(options, out var errors) ? errors : [];
}
