using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Operations;

/// <summary>
/// An open engine as the operations see it: the configuration, the caller's identity, the catalog and the front end's
/// detail channel. The facade (Api's BackupEngine) owns one and hands it to what it starts, so nothing below the
/// facades needs them.
/// </summary>
internal sealed class EngineSession
{
    private readonly Action<string>? _detail;

    public EngineSession(EngineConfig config, BackupContext context, ICatalog catalog, Action<string>? detail)
    {
        Config = config;
        Context = context;
        Catalog = catalog;
        _detail = detail;
    }

    public EngineConfig Config { get; }

    public BackupContext Context { get; }

    public ICatalog Catalog { get; }

    /// <summary>Sends a detail message to the front end (Write-Verbose, --debug).</summary>
    public void Detail(string message) => _detail?.Invoke(PrintableText.Escape(message, keepNewlines: true));
}
