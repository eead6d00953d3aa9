using System.Text.Json;
using Acd.Grains.Routing.Expressions;

namespace Acd.Grains.Tests.Routing;

public sealed class ExpressionTests
{
    private const string Worker = """
        {
          "name": "Alice",
          "skills": ["support", "sales"],
          "languages": ["ja", "en"],
          "level": 4,
          "rating": 5.5,
          "remote": true,
          "team": { "name": "tokyo", "floor": 3, "tags": ["a", "b", "c"] },
          "code": "12",
          "email": "alice@example.jp"
        }
        """;

    private static bool Eval(string expression, string json = Worker, ExpressionScope scope = ExpressionScope.Worker) =>
        RoutingExpression.Parse(expression, scope).Matches(JsonDocument.Parse(json).RootElement.Clone());

    [Theory]
    [InlineData("1 == 1", true)]
    [InlineData("1==1", true)]
    [InlineData("0 != 1", true)]
    [InlineData("\"apple\" != \"orange\"", true)]
    [InlineData("'apple' == \"apple\"", true)]
    [InlineData("level = 4", true)]
    [InlineData("level == 4.0", true)]
    [InlineData("level != 4", false)]
    [InlineData("level > 3", true)]
    [InlineData("level > 4", false)]
    [InlineData("level >= 4", true)]
    [InlineData("level < 4", false)]
    [InlineData("level <= 4", true)]
    [InlineData("rating >= 5.1", true)]
    [InlineData("remote == true", true)]
    [InlineData("remote == false", false)]
    [InlineData("remote", true)]
    [InlineData("name == 'Alice'", true)]
    [InlineData("name == 'alice'", false)]
    [InlineData("name < 'Bob'", true)]
    public void ScalarComparisons(string expression, bool expected) => Assert.Equal(expected, Eval(expression));

    [Theory]
    [InlineData("skills HAS 'support'", true)]
    [InlineData("skills has 'support'", true)]
    [InlineData("skills -> 'sales'", true)]
    [InlineData("skills HAS 'billing'", false)]
    // TaskRouter: an array operator on two scalars is false, and a scalar operator on an array is false.
    [InlineData("name HAS 'Alice'", false)]
    [InlineData("name IN 'Alice'", false)]
    [InlineData("name NOT IN 'Bob'", false)]
    [InlineData("skills == 'support'", false)]
    [InlineData("'ja' IN languages", true)]
    [InlineData("name IN ['Alice', 'Bob']", true)]
    [InlineData("name IN ['Carol']", false)]
    [InlineData("level IN [1, 2, 4]", true)]
    [InlineData("name NOT IN ['Carol']", true)]
    [InlineData("name not in ['Alice']", false)]
    [InlineData("languages IN ['en', 'fr']", true)]
    [InlineData("languages IN ['fr']", false)]
    [InlineData("email CONTAINS 'example'", true)]
    [InlineData("email CONTAINS 'Example'", false)]
    [InlineData("skills CONTAINS 'sup'", false)]
    [InlineData("skills CONTAINS 'support'", false)]
    [InlineData("missing NOT IN ['x']", true)]
    [InlineData("team.tags[2] == 'c'", true)]
    [InlineData("team.tags HAS 'b'", true)]
    [InlineData("team.name == 'tokyo'", true)]
    [InlineData("team.floor > 2", true)]
    public void ListsAndPaths(string expression, bool expected) => Assert.Equal(expected, Eval(expression));

    [Theory]
    [InlineData("missing == 'x'", false)]
    [InlineData("missing != 'x'", true)]
    [InlineData("missing > 1", false)]
    [InlineData("missing < 1", false)]
    [InlineData("missing HAS 'x'", false)]
    [InlineData("missing IN ['x']", false)]
    [InlineData("missing NOT IN ['x']", true)]
    [InlineData("missing CONTAINS 'x'", false)]
    [InlineData("missing == null", true)]
    [InlineData("team.missing.deeper == 1", false)]
    [InlineData("team.tags[9] == 'z'", false)]
    [InlineData("missing", false)]
    public void MissingAttributesResolveToNull(string expression, bool expected) => Assert.Equal(expected, Eval(expression));

    [Theory]
    // Webhook attributes arrive as text: a string that reads as a number compares as that number.
    [InlineData("code == 12", true)]
    [InlineData("code > 11", true)]
    [InlineData("code == '12'", true)]
    [InlineData("code == '12.0'", false)]
    [InlineData("level == '4'", true)]
    [InlineData("name > 3", false)]
    [InlineData("name == 3", false)]
    [InlineData("remote == 'true'", false)]
    public void NumbersAndStrings(string expression, bool expected) => Assert.Equal(expected, Eval(expression));

    [Theory]
    [InlineData("1 == 1 OR 1 == 0 AND 1 == 0", true)]         // AND binds tighter than OR
    [InlineData("(1 == 1 OR 1 == 0) AND 1 == 0", false)]
    [InlineData("NOT 1 == 0 AND 1 == 1", true)]               // NOT binds tighter than AND
    [InlineData("NOT (1 == 1 AND 1 == 0)", true)]
    [InlineData("!(level > 3)", false)]
    [InlineData("level > 3 && remote == true", true)]
    [InlineData("level > 9 || remote == true", true)]
    [InlineData("NOT NOT remote", true)]
    [InlineData("((level == 4))", true)]
    public void PrecedenceAndGrouping(string expression, bool expected) => Assert.Equal(expected, Eval(expression));

    [Theory]
    // From TaskRouter's documentation.
    [InlineData("(skills HAS 'support') AND (languages HAS 'english')", """{"skills":["support","sales"],"languages":["english"]}""", true)]
    [InlineData("(skills HAS 'support') AND (languages HAS 'english')", """{"skills":["sales"],"languages":["spanish","english"]}""", false)]
    [InlineData("customer_value == 'Gold' AND type == 'ticket'", """{"customer_value":"Gold","type":"ticket"}""", true)]
    [InlineData("language IN [\"en\", \"es\"]", """{"language":"es"}""", true)]
    [InlineData("(condition_a == true) OR (condition_b == true)", """{"condition_b":true}""", true)]
    [InlineData("(language == \"en\" OR language == \"fr\") AND skill_rating >= 5.1", """{"language":"fr","skill_rating":5.2}""", true)]
    [InlineData("(language == \"en\" OR language == \"fr\") AND skill_rating >= 5.1", """{"language":"fr","skill_rating":5.0}""", false)]
    [InlineData("object.param != \"apple\"", """{"object":{"param":"pear"}}""", true)]
    [InlineData("object.array[2] == 'c'", """{"string_const":"foo","object":{"array":["a","b","c"],"attr":"bar"}}""", true)]
    [InlineData("selected_language == 'es'", """{"selected_language":"es"}""", true)]
    [InlineData("skills.english > 5", """{"skills":{"english":8}}""", true)]
    public void TaskRouterDocumentationExamples(string expression, string json, bool expected) =>
        Assert.Equal(expected, Eval(expression, json, ExpressionScope.Task));

    [Fact]
    public void TargetExpressionsReadBothTaskAndWorker()
    {
        var expression = RoutingExpression.Parse("task.language IN worker.languages AND worker.level >= task.required_level", ExpressionScope.Target);
        var task = JsonDocument.Parse("""{"language":"ja","required_level":3}""").RootElement.Clone();
        var alice = JsonDocument.Parse(Worker).RootElement.Clone();
        var bob = JsonDocument.Parse("""{"languages":["en"],"level":5}""").RootElement.Clone();

        Assert.True(expression.UsesTask);
        Assert.True(expression.Matches(new ExpressionContext { Task = task, Worker = alice }));
        Assert.False(expression.Matches(new ExpressionContext { Task = task, Worker = bob }));
    }

    [Fact]
    public void MatchAllIsRecognised()
    {
        Assert.True(RoutingExpression.Parse("1==1", ExpressionScope.Worker).IsMatchAll);
        Assert.False(RoutingExpression.Parse("1==0", ExpressionScope.Worker).IsMatchAll);
        Assert.False(RoutingExpression.Parse("level == 1", ExpressionScope.Worker).IsMatchAll);
    }

    [Fact]
    public void TaskRouterTimeOfDayKeysUseUtc()
    {
        var expression = RoutingExpression.Parse("taskrouter.currentTime > 0800 AND taskrouter.currentTime < 1830 AND taskrouter.dayOfWeek IN ['Mon','Wed']", ExpressionScope.Task);
        var empty = JsonDocument.Parse("{}").RootElement.Clone();
        Assert.True(expression.Matches(empty, new DateTimeOffset(2026, 11, 23, 9, 30, 0, TimeSpan.Zero)));   // Monday 09:30 UTC
        Assert.False(expression.Matches(empty, new DateTimeOffset(2026, 11, 23, 19, 0, 0, TimeSpan.Zero)));  // Monday 19:00
        Assert.False(expression.Matches(empty, new DateTimeOffset(2026, 11, 24, 9, 30, 0, TimeSpan.Zero)));  // Tuesday
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("skills HAS", 10)]
    [InlineData("level >", 7)]
    [InlineData("(level > 1", 10)]
    [InlineData("level > 1)", 9)]
    [InlineData("level >> 1", 7)]
    [InlineData("level > 1 AND", 13)]
    [InlineData("name == 'Alice", 8)]
    [InlineData("language IN ['en' 'ja']", 18)]
    [InlineData("first-name == 'x'", 5)]
    [InlineData("level > 1 & remote", 10)]
    [InlineData("'just a string'", 15)]
    [InlineData("level # 2", 6)]
    public void BadExpressionsAreRejectedWithThePosition(string expression, int position)
    {
        var error = Assert.Throws<ExpressionException>(() => RoutingExpression.Parse(expression, ExpressionScope.Worker));
        Assert.Equal(position, error.Position);
        Assert.Contains($"position {position}", error.Message);
    }

    [Fact]
    public void ParsingIsDoneOnceForTheSameSource()
    {
        var a = RoutingExpression.Parse("skills HAS 'x' AND level > 2", ExpressionScope.Worker);
        var b = RoutingExpression.Parse("skills HAS 'x' AND level > 2", ExpressionScope.Worker);
        Assert.Same(a, b);
    }
}
