namespace CinderBackup.Engine.Catalog;

/// <summary>
/// The database role a catalog is reached as, as its server sees it: an administrator (a member of
/// <c>cinderbackup_admin</c>, the catalog's owner, or a superuser), or a role granted only the projects listed.
/// </summary>
internal sealed record CatalogRole(string Name, bool IsAdmin, IReadOnlyList<string> Projects);
