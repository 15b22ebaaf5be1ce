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

    /// <summary>
    /// The identity from <paramref name="projectName"/>, <paramref name="userName"/> and <paramref name="admin"/> (the
    /// front end's override, null where none, which came from <paramref name="overrideSource"/>), the configuration and
    /// the environment <paramref name="env"/>.
    /// </summary>
    public static BackupContext Resolve(EngineConfig config, string? projectName, string? userName, bool? admin, string overrideSource,
        Func<string, string?> env)
    {
        var (project, projectSource) = Pick(projectName, overrideSource, config.ProjectName, env("OS_PROJECT_NAME"), DefaultProject);
        var (user, userSource) = Pick(userName, overrideSource, config.UserName, env("OS_USERNAME"), OsUser(env));
        ValidateName(project, "project name");
        ValidateName(user, "user name");

        bool isAdmin;
        if (admin is bool explicitAdmin)
        {
            isAdmin = explicitAdmin;
        }
        else if (config.Admin is bool configAdmin)
        {
            isAdmin = configAdmin;
        }
        else if (ParseBool(env("CINDERBACKUP_ADMIN")) is bool envAdmin)
        {
            isAdmin = envAdmin;
        }
        else
        {
            isAdmin = projectSource == "default" && userSource == "default";
        }
        var source = projectSource == userSource ? projectSource : $"{projectSource}/{userSource}";
        return new BackupContext(project, user, isAdmin, source);
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
                $"Invalid {what} '{PrintableText.Brief(value)}': at most 255 characters and no control characters.", value);
        }
    }
}
