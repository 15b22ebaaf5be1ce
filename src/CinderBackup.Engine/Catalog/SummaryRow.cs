namespace CinderBackup.Engine.Catalog;

/// <summary>The few columns shown when completing a name: id, name, status and size in GiB.</summary>
internal sealed record SummaryRow(string Id, string? Name, string Status, int Size);
