using Gateway.Api.Forwarding;

namespace Gateway.UnitTests.Api.Forwarding;

/// <summary>The split of what the client sent into the service and what the instance gets: security-critical, so as a table.</summary>
public sealed class RequestTargetTests
{
    [Theory]
    [InlineData("/svc", "/")]
    [InlineData("/svc/", "/")]
    [InlineData("/svc?x=1", "/?x=1")]
    [InlineData("/svc/users?page=2", "/users?page=2")]
    [InlineData("/svc/a%2Fb?x=%20", "/a%2Fb?x=%20")]
    [InlineData("/svc//other.host/x", "//other.host/x")]
    [InlineData("/svc/a/../b", "/a/../b")]
    [InlineData("/svc/a?next=/other/x", "/a?next=/other/x")]
    [InlineData("http://gateway.example/svc/x?y", "/x?y")]
    [InlineData("http://gateway.example", "/")]
    public void AfterFirstSegment_RawTarget_KeepsTheRestByteForByte(string rawTarget, string expected)
    {
        var rest = RequestTarget.AfterFirstSegment(rawTarget);

        rest.ShouldBe(expected);
    }

    [Theory]
    [InlineData("/svc/a", false)]
    [InlineData("/svc/a/../b", false)]
    [InlineData("/svc/./a", false)]
    [InlineData("/svc/a/b/../../c", false)]
    [InlineData("/svc/a.b/..c/...", false)]
    [InlineData("/svc/a?x=/../../other", false)]
    [InlineData("/x/../svc/a", true)]
    [InlineData("/./svc/a", true)]
    [InlineData("/svc/../other/a", true)]
    [InlineData("/svc/%2E%2E/other/a", true)]
    [InlineData("/svc/%2e./other/a", true)]
    [InlineData("/svc/a/../../other", true)]
    [InlineData("/svc\\..\\other\\a", true)]
    [InlineData("http://gateway.example/svc/../other/a", true)]
    [InlineData("*", false)]
    public void LeavesFirstSegment_RawTarget_TellsWhetherDotSegmentsClimbOutOfTheService(string rawTarget, bool leaves)
    {
        var result = RequestTarget.LeavesFirstSegment(rawTarget);

        result.ShouldBe(leaves);
    }
}
