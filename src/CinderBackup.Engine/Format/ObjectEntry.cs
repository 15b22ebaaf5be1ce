namespace CinderBackup.Engine.Format;

/// <summary>One entry of a backup's <c>objects</c> list: where the object's (uncompressed) data goes.</summary>
internal readonly record struct ObjectEntry(string Name, long Offset, long Length, string Compression, string Md5)
{
    public long End => Offset + Length;
}
