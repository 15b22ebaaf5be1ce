namespace CinderBackup.Engine.Repositories;

/// <summary>Where a new backup's data goes, saved on its row before any data is written (a crash leaves it findable).</summary>
internal sealed record BackupPlacement(string Container, string Prefix, string? RepositoryId, string RepositoryLocation);
