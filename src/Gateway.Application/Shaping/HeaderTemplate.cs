namespace Gateway.Application.Shaping;

/// <summary>A header value with <c>{Variable}</c>s, parsed once when the configuration is read.</summary>
/// <remarks><c>{{</c> and <c>}}</c> stand for literal braces. A value without variables costs nothing to render.</remarks>
public sealed class HeaderTemplate
{
    private readonly string? _constant;
    private readonly Part[] _parts;

    private HeaderTemplate(string text, string? constant, Part[] parts)
    {
        Text = text;
        _constant = constant;
        _parts = parts;
    }

    /// <summary>The value as configured.</summary>
    public string Text { get; }

    /// <summary>Parses a value; null, with why, when it cannot be a header value or names an unknown variable.</summary>
    public static HeaderTemplate? TryParse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAnyExceptInRange(' ', '~') >= 0)
        {
            error = "holds a control character (such as CR or LF) or a character outside printable ASCII";
            return null;
        }

        var parts = new List<Part>();
        var literal = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '{' or '}' && i + 1 < text.Length && text[i + 1] == c)
            {
                literal.Append(c);
                i++;
                continue;
            }

            if (c == '}')
            {
                error = "has a '}' that closes nothing (write }} for a brace)";
                return null;
            }

            if (c != '{')
            {
                literal.Append(c);
                continue;
            }

            var end = text.IndexOf('}', i + 1);
            if (end < 0)
            {
                error = "has a '{' that is never closed (write {{ for a brace)";
                return null;
            }

            var name = text[(i + 1)..end];
            if (TransformVariables.Find(name) is not { } variable)
            {
                error = $"uses the unknown variable {{{name}}} (expected {TransformVariables.Expected})";
                return null;
            }

            if (literal.Length > 0)
            {
                parts.Add(new Part(literal.ToString(), null));
                literal.Clear();
            }

            parts.Add(new Part(null, variable));
            i = end;
        }

        if (literal.Length > 0 || parts.Count == 0)
        {
            parts.Add(new Part(literal.ToString(), null));
        }

        error = null;
        var constant = parts is [{ Variable: null } only] ? only.Literal : null;
        return new HeaderTemplate(text, constant, [.. parts]);
    }

    /// <summary>The value for one request; a variable with no value (no trace, no client address) is empty.</summary>
    public string Render(TransformContext context)
    {
        if (_constant is not null)
        {
            return _constant;
        }

        if (_parts.Length == 1)
        {
            return _parts[0].Variable!(context) ?? "";
        }

        var pieces = new string?[_parts.Length];
        for (var i = 0; i < _parts.Length; i++)
        {
            pieces[i] = _parts[i].Literal ?? _parts[i].Variable!(context);
        }

        return string.Concat(pieces);
    }

    /// <summary>A literal, or a variable.</summary>
    private readonly record struct Part(string? Literal, Func<TransformContext, string?>? Variable);
}
