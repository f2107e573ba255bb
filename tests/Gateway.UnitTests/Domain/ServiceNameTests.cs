using Gateway.Domain;

namespace Gateway.UnitTests.Domain;

public sealed class ServiceNameTests
{
    [Theory]
    [InlineData("users")]
    [InlineData("user-service")]
    [InlineData("user_service")]
    [InlineData("Orders")]
    [InlineData("orders.v2")]
    [InlineData("v1")]
    [InlineData("x")]
    [InlineData("...")] // only "." and ".." navigate
    [InlineData("healthz")]
    [InlineData("my-admin")]
    public void IsValid_ValidName_ReturnsTrueWithoutError(string name)
    {
        var valid = ServiceName.IsValid(name, out var error);

        valid.ShouldBeTrue();
        error.ShouldBeNull();
    }

    [Theory]
    [InlineData("user service")]
    [InlineData("users/v1")]
    [InlineData("users?x=1")]
    [InlineData("users#top")]
    [InlineData("users%20")]
    [InlineData("a:b")]
    [InlineData("über")]
    [InlineData("users\t")]
    public void IsValid_CharacterOutsideTheAllowedSet_ReturnsFalseSayingWhichAreAllowed(string name)
    {
        var valid = ServiceName.IsValid(name, out var error);

        valid.ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain($"'{name}'");
        error.ShouldContain("only letters, digits, '-', '_' and '.' are allowed");
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public void IsValid_DotSegment_ReturnsFalseSayingItIsPathNavigation(string name)
    {
        var valid = ServiceName.IsValid(name, out var error);

        valid.ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain("path navigation");
    }

    [Fact]
    public void IsValid_MaxLength_ReturnsTrue()
    {
        var valid = ServiceName.IsValid(new string('a', ServiceName.MaxLength), out var error);

        valid.ShouldBeTrue();
        error.ShouldBeNull();
    }

    [Fact]
    public void IsValid_LongerThanMaxLength_ReturnsFalseSayingHowLongWithoutRepeatingItWhole()
    {
        var name = new string('a', 5000);

        var valid = ServiceName.IsValid(name, out var error);

        valid.ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain($"5000 characters, more than {ServiceName.MaxLength}");
        error.Length.ShouldBeLessThan(200);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void IsValid_Empty_ReturnsFalse(string? name)
    {
        var valid = ServiceName.IsValid(name, out var error);

        valid.ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain("must not be empty");
    }

    [Theory]
    [InlineData("services")]
    [InlineData("health")]
    [InlineData("metrics")]
    [InlineData("admin")]
    [InlineData("dashboard")]
    [InlineData("Services")]
    [InlineData("HEALTH")]
    [InlineData("Metrics")]
    [InlineData("ADMIN")]
    [InlineData("DashBoard")]
    [InlineData("Events")]
    public void IsValid_ReservedNameInAnyCase_ReturnsFalseSayingItIsReserved(string name)
    {
        var valid = ServiceName.IsValid(name, out var error);

        valid.ShouldBeFalse();
        error.ShouldBe($"'{name}' is reserved for the gateway's own endpoints");
    }

    [Fact]
    public void Reserved_IsTheGatewaysOwnEndpoints()
    {
        var reserved = ServiceName.Reserved;

        reserved.OrderBy(name => name, StringComparer.Ordinal)
            .ShouldBe(["admin", "dashboard", "events", "health", "metrics", "services"]);
    }

    [Fact]
    public void ThrowIfInvalid_InvalidName_ThrowsArgumentExceptionWithTheErrorAsASentence()
    {
        var check = () => ServiceName.ThrowIfInvalid("users/v1");

        var exception = check.ShouldThrow<ArgumentException>();
        exception.ParamName.ShouldBe("name");
        exception.Message.ShouldStartWith("'users/v1' is not a service name");
        exception.Message.ShouldContain("are allowed.");
    }

    [Fact]
    public void ThrowIfInvalid_Empty_MessageStartsWithACapital()
    {
        var check = () => ServiceName.ThrowIfInvalid("");

        check.ShouldThrow<ArgumentException>().Message.ShouldStartWith("A service name must not be empty.");
    }

    [Fact]
    public void ThrowIfInvalid_ValidName_DoesNotThrow()
    {
        var check = () => ServiceName.ThrowIfInvalid("user-service");

        check.ShouldNotThrow();
    }

    [Fact]
    public void Comparer_NamesDifferingOnlyInCase_AreEqual()
    {
        var comparer = ServiceName.Comparer;

        var equal = comparer.Equals("User-Service", "user-service");

        equal.ShouldBeTrue();
    }
}
