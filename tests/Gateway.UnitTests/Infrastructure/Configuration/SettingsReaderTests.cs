using Gateway.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.UnitTests.Infrastructure.Configuration;

/// <summary>Every setting an operator writes goes through these parsers: each bad value is one line naming key and value.</summary>
public sealed class SettingsReaderTests
{
    private const string Key = "SETTING";

    [Theory]
    [InlineData(null, 30.0)]
    [InlineData("", 30.0)]
    [InlineData("5", 5.0)]
    [InlineData(" 0.25 ", 0.25)]
    [InlineData("1e1", 10.0)]
    [InlineData("86400", 86_400.0)]
    public void Seconds_ValidOrMissing_IsReadOrDefaulted(string? raw, double seconds)
    {
        var reader = Reader(raw);

        var value = reader.Seconds(Key, defaultSeconds: 30);

        value.ShouldBe(TimeSpan.FromSeconds(seconds));
        reader.Errors.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("0", "out of range")]
    [InlineData("-1", "out of range")]
    [InlineData("86401", "out of range")]
    [InlineData("5s", "is not a number of seconds")]
    [InlineData("1,5", "is not a number of seconds")]
    [InlineData("NaN", "is not a number of seconds")]
    [InlineData("Infinity", "is not a number of seconds")]
    public void Seconds_Invalid_FailsNamingKeyAndValueAndKeepsTheDefault(string raw, string problem)
    {
        var reader = Reader(raw);

        var value = reader.Seconds(Key, defaultSeconds: 30);

        value.ShouldBe(TimeSpan.FromSeconds(30));
        reader.Errors.ShouldHaveSingleItem().ShouldStartWith($"{Key}: '{raw}' ");
        reader.Errors[0].ShouldContain(problem);
    }

    [Theory]
    [InlineData(null, 7L, null)]
    [InlineData("1", 1L, null)]
    [InlineData(" +3 ", 3L, null)]
    [InlineData("10", 10L, null)]
    [InlineData("0", 7L, "is outside 1-10")]
    [InlineData("11", 7L, "is outside 1-10")]
    [InlineData("2.5", 7L, "is not a whole number")]
    [InlineData("0x10", 7L, "is not a whole number")]
    [InlineData("99999999999999999999", 7L, "is not a whole number")]
    public void WholeNumber_Raw_IsReadOrFailsAndDefaults(string? raw, long expected, string? problem)
    {
        var reader = Reader(raw);

        var value = reader.WholeNumber(Key, defaultValue: 7, min: 1, max: 10);

        value.ShouldBe(expected);
        if (problem is null)
        {
            reader.Errors.ShouldBeEmpty();
        }
        else
        {
            reader.Errors.ShouldBe([$"{Key}: '{raw}' {problem}"]);
        }
    }

    [Fact]
    public void WholeNumber_NoUpperBound_SaysOnlyTheLowerOne()
    {
        var reader = Reader("0");

        reader.WholeNumber(Key, defaultValue: 1, min: 1, max: long.MaxValue);

        reader.Errors.ShouldBe([$"{Key}: '0' is below 1"]);
    }

    [Theory]
    [InlineData(null, DayOfWeek.Monday, false)]
    [InlineData("friday", DayOfWeek.Friday, false)]
    [InlineData(" Friday ", DayOfWeek.Friday, false)]
    [InlineData("someday", DayOfWeek.Monday, true)]
    public void Choice_Raw_IsParsedOrFailsListingWhatIsExpected(string? raw, DayOfWeek expected, bool fails)
    {
        var reader = Reader(raw);

        var value = reader.Choice(Key, DayOfWeek.Monday, ParseDay, "the days of the week");

        value.ShouldBe(expected);
        reader.Errors.Count.ShouldBe(fails ? 1 : 0);
        if (fails)
        {
            reader.Errors[0].ShouldBe($"{Key}: '{raw}' is not one of the days of the week");
        }
    }

    [Fact]
    public void RecordOn_AfterSeveralBadValues_ValidationReportsThemAllAtOnce()
    {
        var reader = Reader("x");
        var options = new object();
        reader.Seconds(Key, 1);
        reader.WholeNumber(Key, 1, 1, 2);

        reader.RecordOn(options);
        var result = new BindingValidation<object>().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.Failures.ShouldBe([$"{Key}: 'x' is not a number of seconds", $"{Key}: 'x' is not a whole number"]);
    }

    [Fact]
    public void RecordOn_NothingBad_ValidationSucceedsAndForgetsAnEarlierBinding()
    {
        var options = new object();
        var bad = Reader("x");
        bad.WholeNumber(Key, 1, 1, 2);
        bad.RecordOn(options);

        Reader("1").RecordOn(options);
        var result = new BindingValidation<object>().Validate(null, options);

        result.Succeeded.ShouldBeTrue();
    }

    private static DayOfWeek? ParseDay(string value) => Enum.TryParse<DayOfWeek>(value, ignoreCase: true, out var day) ? day : null;

    private static SettingsReader Reader(string? raw) =>
        new(new ConfigurationBuilder().AddInMemoryCollection([new KeyValuePair<string, string?>(Key, raw)]).Build());
}
