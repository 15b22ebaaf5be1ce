using CinderBackup.Engine.Api;
using CinderBackup.Engine.Config;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Rules;

/// <summary>
/// Resolves the identity of a call. Project and user: explicit override, else config
/// (<c>os_project_name</c>, <c>os_username</c>), else <c>OS_PROJECT_NAME</c> / <c>OS_USERNAME</c>, else the OS
/// user in project <c>default</c>. Admin: explicit, else <c>os_admin</c>, else <c>CINDERBACKUP_ADMIN</c>, else
/// true only for the default identity (a single-user machine owns everything).
/// </summary>
internal static class ContextResolver
{
    public const string DefaultProject = "default";

    public static BackupContext Resolve(EngineConfig config, EngineOptions options)
    {
        var env = options.Environment;
        var (project, projectSource) = Pick(options.ProjectName, options.OverrideSource, config.ProjectName, env("OS_PROJECT_NAME"), DefaultProject);
        var (user, userSource) = Pick(options.UserName, options.OverrideSource, config.UserName, env("OS_USERNAME"), OsUser(env));
        ValidateName(project, "project name");
        ValidateName(user, "user name");

        bool admin;
        if (options.Admin is bool explicitAdmin)
        {
            admin = explicitAdmin;
        }
        else if (config.Admin is bool configAdmin)
        {
            admin = configAdmin;
        }
        else if (ParseBool(env("CINDERBACKUP_ADMIN")) is bool envAdmin)
        {
            admin = envAdmin;
        }
        else
        {
            admin = projectSource == "default" && userSource == "default";
        }
        var source = projectSource == userSource ? projectSource : $"{projectSource}/{userSource}";
        return new BackupContext(project, user, admin, source);
    }

    private static (string Value, string Source) Pick(string? explicitValue, string explicitSource, string? configValue, string? envValue, string defaultValue)
    {
        if (!string.IsNullOrEmpty(explicitValue))
        {
            return (explicitValue, explicitSource);
        }
        if (!string.IsNullOrEmpty(configValue))
        {
            return (configValue, "config");
        }
        if (!string.IsNullOrEmpty(envValue))
        {
            return (envValue, "environment");
        }
        return (defaultValue, "default");
    }

    private static string OsUser(Func<string, string?> env)
    {
        var name = env("USER") ?? env("USERNAME") ?? System.Environment.UserName;
        return string.IsNullOrEmpty(name) ? "unknown" : name;
    }

    private static bool? ParseBool(string? s) => s?.Trim().ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        _ => null,
    };

    internal static void ValidateName(string value, string what)
    {
        if (value.Length > 255 || value.Any(char.IsControl))
        {
            throw new CinderBackupException(ErrorIds.InvalidName, ErrorKind.InvalidArgument,
                $"Invalid {what} '{Printable(value)}': at most 255 characters and no control characters.", value);
        }
    }

    /// <summary>Renders control characters visibly so error messages never carry them raw.</summary>
    internal static string Printable(string value)
    {
        return Util.PrintableText.Escape(value.Length > 80 ? value[..80] + "..." : value);
    }
}
