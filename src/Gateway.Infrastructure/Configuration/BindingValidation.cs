namespace Gateway.Infrastructure.Configuration;

/// <summary>
/// Reports the values binding could not read (not a number, outside its range, not one of the choices), so that they
/// fail options validation like any other rule: at start-up, and on a reload.
/// </summary>
public sealed class BindingValidation<TOptions> : OptionsValidation<TOptions>
    where TOptions : class
{
    protected override void Check(TOptions options, SettingFailures failures)
    {
        foreach (var error in BindingErrors.Of(options))
        {
            failures.Add(error);
        }
    }
}
