using System.Text.Json;

namespace Gateway.Infrastructure.Configuration;

/// <summary>What went wrong reading a JSON settings file, as an operator edits it: line and column first.</summary>
public static class JsonFileError
{
    /// <summary>
    /// The file's own error where the JSON reader gave one (<c>line 3, column 12: ...</c>), else the first line of the
    /// outermost message. The framework wraps the reader's error twice and ends it with zero-based positions.
    /// </summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        for (var inner = error; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException { LineNumber: { } line, BytePositionInLine: { } column } json)
            {
                var message = json.Message;
                var positions = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
                return $"line {line + 1}, column {column + 1}: {(positions < 0 ? message : message[..positions]).Trim()}";
            }
        }

        return error.Message.Split('\n', 2)[0].Trim();
    }
}
