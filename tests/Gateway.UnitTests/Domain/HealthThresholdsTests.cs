using Gateway.Domain;

namespace Gateway.UnitTests.Domain;

public sealed class HealthThresholdsTests
{
    [Fact]
    public void Default_OneCheckEachWay()
    {
        var thresholds = HealthThresholds.Default;

        thresholds.UnhealthyThreshold.ShouldBe(1);
        thresholds.HealthyThreshold.ShouldBe(1);
    }

    [Theory]
    [InlineData(0, 1, "unhealthyThreshold")]
    [InlineData(1, 0, "healthyThreshold")]
    [InlineData(-1, 2, "unhealthyThreshold")]
    public void Constructor_ThresholdBelowOne_Throws(int unhealthy, int healthy, string parameter)
    {
        var create = () => new HealthThresholds(unhealthy, healthy);

        create.ShouldThrow<ArgumentOutOfRangeException>().ParamName.ShouldBe(parameter);
    }
}
