namespace CinderBackup.Engine.Native;

/// <summary>The type of a file system object (st_mode's S_IFMT).</summary>
internal enum FileKind
{
    Regular,
    Directory,
    SymbolicLink,
    BlockDevice,
    CharacterDevice,
    Fifo,
    Socket,
    Other,
}
