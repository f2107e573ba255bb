using System.Collections.Frozen;
using Microsoft.Extensions.Primitives;

namespace Gateway.Application.Shaping;

/// <summary>One direction's header changes: <c>Remove</c>, then <c>Set</c> (replacing), then <c>Append</c>.</summary>
public sealed class HeaderTransforms
{
    private readonly FrozenSet<string> _replaced;
    private readonly KeyValuePair<string, HeaderTemplate>[] _set;
    private readonly KeyValuePair<string, HeaderTemplate>[] _append;
    private readonly string[] _remove;

    public HeaderTransforms(
        IReadOnlyList<KeyValuePair<string, HeaderTemplate>> set,
        IReadOnlyList<KeyValuePair<string, HeaderTemplate>> append,
        IReadOnlyList<string> remove)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(append);
        ArgumentNullException.ThrowIfNull(remove);
        _set = [.. set];
        _append = [.. append];
        _remove = [.. remove];
        _replaced = remove.Concat(set.Select(header => header.Key)).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<KeyValuePair<string, HeaderTemplate>> Set => _set;

    public IReadOnlyList<KeyValuePair<string, HeaderTemplate>> Append => _append;

    public IReadOnlyList<string> Remove => _remove;

    /// <summary>Every header these transforms name, in the order Set, Append, Remove, with the list it is in.</summary>
    public IEnumerable<(string List, string Header)> Names =>
        Set.Select(header => ("Set", header.Key))
            .Concat(Append.Select(header => ("Append", header.Key)))
            .Concat(Remove.Select(header => ("Remove", header)));

    /// <summary>Whether a header as received stays behind: removed, or replaced by <c>Set</c>.</summary>
    public bool Replaces(string name) => _replaced.Contains(name);

    /// <summary>Applies the changes to a header collection (a response's, which is case-insensitive).</summary>
    public void Apply(IDictionary<string, StringValues> headers, TransformContext context)
    {
        ArgumentNullException.ThrowIfNull(headers);
        foreach (var name in _remove)
        {
            headers.Remove(name);
        }

        foreach (var (name, template) in _set)
        {
            headers[name] = template.Render(context);
        }

        foreach (var (name, template) in _append)
        {
            var value = template.Render(context);
            headers[name] = headers.TryGetValue(name, out var existing) ? StringValues.Concat(existing, value) : value;
        }
    }
}
