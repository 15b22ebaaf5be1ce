namespace CinderBackup.Engine.Native.Ceph;

/// <summary>One snapshot of an RBD image: its id, the image size it recorded, its name.</summary>
internal sealed record RbdSnapshot(ulong Id, long Size, string Name);
