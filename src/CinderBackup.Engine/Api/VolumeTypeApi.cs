using CinderBackup.Engine.Catalog;
using CinderBackup.Engine.Errors;
using CinderBackup.Engine.Rules;
using CinderBackup.Engine.Util;

namespace CinderBackup.Engine.Api;

/// <summary>Volume types, with Cinder's rules and messages: anyone lists them, only an admin creates or deletes one.</summary>
public sealed class VolumeTypeApi
{
    private readonly BackupEngine _engine;

    internal VolumeTypeApi(BackupEngine engine) => _engine = engine;

    public IReadOnlyList<VolumeType> List() => _engine.Catalog.Read(VolumeTypeTable.List);

    public VolumeType Get(string nameOrId) => _engine.Catalog.Read(db => Lookup.VolumeType(db, nameOrId));

    /// <summary>Creates a type (admin only); its name must be new.</summary>
    public VolumeType Create(string name, string? description = null, bool isPublic = true)
    {
        Policy.RequireAdmin(_engine.Context, "volume_extension:type_create");
        InputRules.ValidateText(name, "volume type name");
        InputRules.ValidateText(description, "description");
        if (string.IsNullOrWhiteSpace(name))
        {
            // Cinder's types API: "Volume type name can not be empty."
            throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, "Volume type name can not be empty.", name);
        }
        name = name.Trim();
        return _engine.Catalog.Write(db =>
        {
            if (VolumeTypeTable.GetByName(db, name) is not null)
            {
                throw new CinderBackupException(ErrorIds.VolumeTypeExists, ErrorKind.Conflict, $"Volume Type {name} already exists.", name);
            }
            var id = Guid.NewGuid().ToString();
            VolumeTypeTable.Insert(db, id, name, description, isPublic, Clock.UtcNow);
            return VolumeTypeTable.GetById(db, id)!;
        });
    }

    /// <summary>
    /// Deletes a type (admin only). Refused, with Cinder's texts, for the default type and while any volume (in any
    /// project) has it.
    /// </summary>
    public VolumeType Delete(string nameOrId)
    {
        Policy.RequireAdmin(_engine.Context, "volume_extension:type_delete");
        return _engine.Catalog.Write(db =>
        {
            var type = Lookup.VolumeType(db, nameOrId);
            if (type.Name == VolumeTypeTable.DefaultName)
            {
                throw new CinderBackupException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                    $"The volume type {type.Id} is a default volume type and cannot be deleted.", type.Name);
            }
            if (VolumeTypeTable.CountVolumes(db, type.Id) > 0)
            {
                throw new CinderBackupException(ErrorIds.VolumeTypeInUse, ErrorKind.InvalidState,
                    $"Volume Type {type.Id} deletion is not allowed with volumes present with the type.", type.Name);
            }
            VolumeTypeTable.Delete(db, type.Id);
            return type;
        });
    }
}
