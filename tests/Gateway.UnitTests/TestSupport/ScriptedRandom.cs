namespace Gateway.UnitTests.TestSupport;

/// <summary>A <see cref="Random"/> whose <see cref="Next(int)"/> returns the given values in order.</summary>
internal sealed class ScriptedRandom(params int[] values) : Random
{
    private int _next;

    public override int Next(int maxValue)
    {
        if (_next == values.Length)
        {
            throw new InvalidOperationException($"The script of {values.Length} values has run out.");
        }

        var value = values[_next++];
        if (value < 0 || value >= maxValue)
        {
            throw new InvalidOperationException($"Scripted value {value} is outside [0, {maxValue}).");
        }

        return value;
    }

    public override int Next() => throw new NotSupportedException("Only Next(int) is scripted.");

    public override int Next(int minValue, int maxValue) => throw new NotSupportedException("Only Next(int) is scripted.");
}
