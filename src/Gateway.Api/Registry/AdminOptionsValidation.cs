using Gateway.Infrastructure.Configuration;

namespace Gateway.Api.Registry;

/// <summary>Refuses an admin key too short to guard the gateway's routing, naming its length but never the key.</summary>
internal sealed class AdminOptionsValidation : OptionsValidation<AdminOptions>
{
    protected override void Check(AdminOptions options, SettingFailures failures) =>
        failures.AddIfTooShort(AdminOptions.KeyName, options.Key, AdminOptions.MinimumKeyLength);
}
