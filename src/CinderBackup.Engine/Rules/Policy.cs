using CinderBackup.Engine.Errors;

namespace CinderBackup.Engine.Rules;

/// <summary>Cinder's default policy: owners see their project; some actions are admin-only.</summary>
internal static class Policy
{
    public static void RequireAdmin(BackupContext context, string action)
    {
        if (!context.IsAdmin)
        {
            throw new CinderBackupException(ErrorIds.PolicyNotAuthorized, ErrorKind.PermissionDenied,
                $"Policy doesn't allow {action} to be performed.", action);
        }
    }

    /// <summary>The project filter for listings: null (all projects) only for admins who ask for it.</summary>
    public static string? ProjectFilter(BackupContext context, bool allProjects)
    {
        if (allProjects)
        {
            RequireAdmin(context, "all_tenants listing");
            return null;
        }
        return context.ProjectName;
    }

    public static bool CanSee(BackupContext context, string projectId) => context.IsAdmin || context.ProjectName == projectId;
}
