using CinderBackup.Engine.Catalog;


namespace CinderBackup.Engine.Repositories;

/// <summary>A backup found by discovery and, when complete, the row its record is made from.</summary>
internal sealed record DiscoveredRow(DiscoveredBackup Item, BackupRow? Row);
