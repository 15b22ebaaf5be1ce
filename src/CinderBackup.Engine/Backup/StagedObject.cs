using CinderBackup.Engine.ObjectStores;

namespace CinderBackup.Engine.Backup;

/// <summary>An object written to staging, waiting for its name (<c>-00001</c>, ...) and the commit.</summary>
internal sealed record StagedObject(IStagedObject Object, long Offset, long Length, string Compression, string Md5, long StoredBytes);
