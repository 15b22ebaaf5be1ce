namespace CinderBackup.Engine.Catalog;

/// <summary>One row of the services table, as stored.</summary>
internal sealed record ServiceRow(string Host, string Binary, string Zone, bool Disabled, DateTime? UpdatedAt, int? Pid);
