namespace Gateway.Domain.Traffic;

/// <summary>The bounds of an instance's free-form metadata: it is shown in /services and kept in the shared store.</summary>
public static class InstanceMetadata
{
    public const int MaxEntries = 32;
    public const int MaxLength = 256;

    /// <summary>What is wrong with a key and its value; null when they are within bounds.</summary>
    public static string? Check(string key, string? value) =>
        string.IsNullOrEmpty(key) || key.Length > MaxLength
            ? $"'{key}' is not a metadata key: text of 1-{MaxLength} characters"
            : value is null || value.Length > MaxLength
                ? $"'{value}' is not a metadata value: text of at most {MaxLength} characters"
                : null;
}
