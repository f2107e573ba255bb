namespace Gateway.Infrastructure.Configuration;

/// <summary>Refuses an affinity key short enough to guess, naming its length but never the key.</summary>
internal sealed class AffinityOptionsValidation : OptionsValidation<AffinityOptions>
{
    protected override void Check(AffinityOptions options, SettingFailures failures) =>
        failures.AddIfTooShort(AffinityOptions.KeyName, options.Key, AffinityOptions.MinimumKeyLength);
}
