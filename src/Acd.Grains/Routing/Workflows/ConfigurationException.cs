namespace Acd.Grains.Routing.Workflows;

/// <summary>A configuration error that names the field (a JSON path such as <c>configuration.task_routing.filters[0].expression</c>).</summary>
public sealed class ConfigurationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
