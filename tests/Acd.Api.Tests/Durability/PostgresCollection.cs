namespace Acd.Api.Tests.Durability;

/// <summary>The tests that run Acd processes on PostgreSQL run one at a time: each starts and kills whole nodes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresCollection
{
    public const string Name = "postgres";
}
