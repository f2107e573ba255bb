namespace Gateway.IntegrationTests.Support;

public static class RawUri
{
    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    /// <summary>An absolute URI whose path and query are sent exactly as written.</summary>
    public static Uri For(Uri baseAddress, string pathAndQuery) =>
        new(baseAddress.GetLeftPart(UriPartial.Authority) + pathAndQuery, in Verbatim);
}
