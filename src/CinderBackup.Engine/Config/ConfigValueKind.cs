namespace CinderBackup.Engine.Config;

/// <summary>How a configuration value is parsed and validated.</summary>
internal enum ConfigValueKind
{
    String,
    Path,
    /// <summary>Paths separated by the platform's path separator (':' on Linux), each made absolute as a Path is.</summary>
    PathList,
    Bool,
    Int,
    /// <summary>A byte count: a plain integer or one with a KiB/MiB/GiB/TiB suffix.</summary>
    Bytes,
    Choice,
    /// <summary>An absolute http or https URL without credentials.</summary>
    Url,
    /// <summary>An absolute http or https URL without credentials or query; a path is allowed (Swift and Keystone URLs).</summary>
    HttpUrl,
    /// <summary>An NFS share: host:/path.</summary>
    NfsShare,
}
