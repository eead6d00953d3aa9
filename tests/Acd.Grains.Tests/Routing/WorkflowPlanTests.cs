using System.Text.Json;
using Acd.Grains.Routing.Workflows;

namespace Acd.Grains.Tests.Routing;

public sealed class WorkflowPlanTests
{
    private const string Configuration = """
        {
          "task_routing": {
            "filters": [
              {
                "filter_friendly_name": "gold",
                "expression": "customer_value == 'Gold'",
                "targets": [
                  { "queue": "vip", "priority": 10, "timeout": 30 },
                  { "queue": "support", "priority": 5, "expression": "task.language IN worker.languages" }
                ]
              },
              {
                "filter_friendly_name": "japanese",
                "expression": "language == 'ja'",
                "targets": [ { "queue": "support-ja", "skip_if": "workers.available == 0" } ]
              }
            ],
            "default_filter": { "queue": "support" }
          }
        }
        """;

    private static JsonElement Task(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void FirstMatchingFilterGivesTheFirstTarget()
    {
        var plan = WorkflowPlan.Parse(Configuration);
        var first = plan.First(Task("""{"customer_value":"Gold","language":"ja"}"""), default)!.Value;
        Assert.Equal(new RoutingStep(0, 0), first.Step);
        Assert.Equal("vip", first.Target.QueueId);
        Assert.Equal(10, first.Target.Priority);
        Assert.Equal(30, first.Target.TimeoutSeconds);
        Assert.Equal("gold", first.FilterName);
    }

    [Fact]
    public void NextGoesThroughTargetsThenLaterFiltersThenTheDefault()
    {
        var plan = WorkflowPlan.Parse(Configuration);
        var task = Task("""{"customer_value":"Gold","language":"ja"}""");
        var second = plan.Next(new RoutingStep(0, 0), task, default)!.Value;
        Assert.Equal(("support", new RoutingStep(0, 1)), (second.Target.QueueId, second.Step));
        var third = plan.Next(second.Step, task, default)!.Value;
        Assert.Equal(("support-ja", "japanese"), (third.Target.QueueId, third.FilterName));
        var fourth = plan.Next(third.Step, task, default)!.Value;
        Assert.Equal((new RoutingStep(-1, 0), "support"), (fourth.Step, fourth.Target.QueueId));
        Assert.Null(plan.Next(fourth.Step, task, default));
    }

    [Fact]
    public void UnmatchedCallsTakeTheDefaultFilter()
    {
        var plan = WorkflowPlan.Parse(Configuration);
        var first = plan.First(Task("""{"language":"en"}"""), default)!.Value;
        Assert.Equal(("support", -1), (first.Target.QueueId, first.Step.Filter));
    }

    [Fact]
    public void WithoutADefaultAnUnmatchedCallHasNoRoute()
    {
        var plan = WorkflowPlan.Parse("""{"task_routing":{"filters":[{"expression":"a == 1","targets":[{"queue":"q"}]}]}}""");
        Assert.Null(plan.First(Task("""{"a":2}"""), default));
    }

    [Theory]
    [InlineData("""{"task_routing":{"filters":[{"expression":"a ==","targets":[{"queue":"q"}]}]}}""", "configuration.task_routing.filters[0].expression", "position 4")]
    [InlineData("""{"task_routing":{"filters":[{"expression":"a == 1","targets":[]}]}}""", "configuration.task_routing.filters[0].targets", "non-empty")]
    [InlineData("""{"task_routing":{"filters":[{"targets":[{"priority":1}]}]}}""", "configuration.task_routing.filters[0].targets[0].queue", "Required")]
    [InlineData("""{"task_routing":{"filters":[{"targets":[{"queue":"q","timeout":0}]}]}}""", "configuration.task_routing.filters[0].targets[0].timeout", "≥ 1")]
    [InlineData("""{"task_routing":{"filters":[{"targets":[{"queue":"q","priority":"high"}]}]}}""", "configuration.task_routing.filters[0].targets[0].priority", "integer")]
    [InlineData("""{"task_routing":{"filters":[{"targets":[{"queue":"q","expression":"worker.x IN"}]}]}}""", "configuration.task_routing.filters[0].targets[0].expression", "position")]
    [InlineData("""{"task_routing":{"filters":[{"targets":[{"queue":"q","skip_if":"workers.available =="}]}]}}""", "configuration.task_routing.filters[0].targets[0].skip_if", "position")]
    [InlineData("""{"task_routing":{"filters":[{"targets":[{"queue":"q","order_by":"worker.level SIDEWAYS"}]}]}}""", "configuration.task_routing.filters[0].targets[0].order_by", "ASC or DESC")]
    [InlineData("""{"task_routing":{"default_filter":"q"}}""", "configuration.task_routing.default_filter", "object")]
    [InlineData("""{"task_routing":{}}""", "configuration.task_routing", "at least one")]
    [InlineData("""{"routing":{}}""", "configuration.task_routing", "Required")]
    [InlineData("""{"task_routing":""", "configuration", "JSON")]
    public void BadConfigurationsNameTheField(string json, string field, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => WorkflowPlan.Parse(json));
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void KnownWorkerTargetsReadTheTaskAttribute()
    {
        var task = Task("""{"agent_id":"ricky","agent_name":"Ricky"}""");
        Assert.Equal("ricky", WorkflowPlan.ResolveKnownWorker("task.agent_id", task));
        Assert.Equal("Ricky", WorkflowPlan.ResolveKnownWorker("task.agent_name", task));
        Assert.Null(WorkflowPlan.ResolveKnownWorker("task.nobody", task));
        Assert.Equal("alice", WorkflowPlan.ResolveKnownWorker("alice", task));
    }
}
