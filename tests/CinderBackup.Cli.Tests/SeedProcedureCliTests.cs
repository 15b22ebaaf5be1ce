using System.Text;
using System.Text.RegularExpressions;

namespace CinderBackup.Cli.Tests;

/// <summary>
/// The seeds' command lines as written (issue 20, "Done when"): every line in <see cref="Lines"/> is copied from a
/// seed (RHOSP 17.1 backup guide chapters 3 and 4, the CERN page, the upstream admin guide), with only `openstack` (or
/// `cinder`) replaced by `cinder-backup` and the seed's ids by ours (a <c>{id:NAME}</c> placeholder), and runs in the seed's
/// order against one data directory, checking the fields and messages the seed shows. `create` and `restore` wait
/// here (README "Seed procedures"); the lines that cannot run here are listed there with the reason.
/// </summary>
public sealed class SeedProcedureCliTests : IDisposable
{
    private const string Rhosp = "RHOSP 17.1 Backing up Block Storage volumes";
    private const string Cern = "CERN Volume backups";
    private const string Upstream = "Cinder admin guide, Back up and restore volumes and snapshots";

    /// <summary>One seed line: where it comes from, the line, the exit code, and what its output must show.</summary>
    public sealed record SeedLine(string Seed, string Section, string Line, int Exit, params string[] Shows);

    public static readonly SeedLine[] Lines =
    {
        // RHOSP 17.1, chapter 3 (backing up and restoring), with the guide's example names.
        new(Rhosp, "3.1.1 Creating a full volume backup", "openstack volume list", 0, @"\| vol_1 +\| available +\|"),
        new(Rhosp, "3.1.1 Creating a full volume backup", "openstack volume backup create --name vol1bu2 vol_1", 0,
            @"^\+-------\+--------------------------------------\+\n\| Field \| Value +\|\n\+-------\+-+\+\n\| id +\| [0-9a-f-]{36} \|\n\| name +\| vol1bu2 +\|\n\+-------\+-+\+\n$"),
        new(Rhosp, "3.1.1 Verification", "openstack volume backup list", 0, @"\| ID +\| Name +\| Description +\| Status +\| Size \|", @"\| vol1bu2 +\| None +\| available +\| +1 \|"),
        new(Rhosp, "3.1.2 Creating a full snapshot backup", "openstack volume snapshot list", 0, @"\| snap_1 +\|"),
        new(Rhosp, "3.1.2 Creating a full snapshot backup", "openstack volume snapshot show snap_1", 0, @"\| name +\| snap_1 +\|", @"\| volume_id +\| {id:vol_2} +\|"),
        new(Rhosp, "3.1.2 Creating a full snapshot backup", "openstack volume backup create --name snap1bu1 --snapshot snap_1 {id:vol_2}", 0, @"\| name +\| snap1bu1 +\|"),
        new(Rhosp, "3.1.2 Verification", "openstack volume backup list", 0, @"\| snap1bu1 +\| None +\| available +\|"),
        new(Rhosp, "3.1.3 Creating a backup of an in-use volume", "openstack volume list", 0, @"\| Pansible_vol_2 +\| in-use +\|"),
        new(Rhosp, "3.1.3 Creating a backup of an in-use volume", "openstack volume backup create --name panvol2bu1 --force Pansible_vol_2", 0, @"\| name +\| panvol2bu1 +\|"),
        new(Rhosp, "3.1.3 Verification", "openstack volume backup list", 0, @"\| panvol2bu1 +\| None +\| available +\|"),
        new(Rhosp, "3.1.4.1 Creating an incremental backup", "openstack volume list", 0, @"\| vol_3 +\|"),
        new(Rhosp, "3.1.4.1 Creating an incremental backup", "openstack volume backup create --name vol3incbu1 --incremental vol_3", 0, @"\| name +\| vol3incbu1 +\|"),
        new(Rhosp, "3.1.4.1 Verification", "openstack volume backup list", 0, @"\| vol3incbu1 +\| None +\| available +\|"),
        new(Rhosp, "3.1.6 Backup arguments to authenticate volume owners",
            "openstack --os-auth-url http://127.0.0.1:5000/v3 --os-project-name {project} --os-username tester --os-password secret volume backup create --name ownerbu1 vol_1", 0,
            @"\| name +\| ownerbu1 +\|"),
        new(Rhosp, "3.1.7 Viewing and modifying project backup quotas", "openstack quota show {project}", 0, @"backups", @"backup-gigabytes"),
        new(Rhosp, "3.1.7 Viewing and modifying project backup quotas", "openstack quota set --backup-gigabytes 100 {project}", 0),
        new(Rhosp, "3.1.7 Viewing and modifying project backup quotas", "openstack quota set --backups 20 {project}", 0),
        new(Rhosp, "3.1.7 Viewing and modifying project backup quotas", "openstack quota show {project}", 0, @"\| backup-gigabytes +\| 100 +\|", @"\| backups +\| 20 +\|"),
        new(Rhosp, "3.1.7 Viewing and modifying project backup quotas", "cinder quota-usage {project}", 0,
            @"^\| Type +\| In_use \| Reserved \| Limit \| Allocated \|$", @"^\| backup_gigabytes +\| +\d+ \| +0 \| +100 \| +\|$",
            @"^\| backups +\| +6 \| +0 \| +20 \| +\|$", @"^\| gigabytes +\| +\d+ \| +0 \| +\d+ \| +\|$", @"^\| volumes +\| +\d+ \| +0 \| +-?\d+ \| +\|$"),
        new(Rhosp, "3.2 Backing up and restoring across edge sites", "cinder --os-volume-api-version 3.51 backup-create --name edgebu1 --availability-zone nova vol_1", 0,
            @"^\+-----------\+--------------------------------------\+\n\| Property  \| Value                                \|\n\+-----------\+-+\+\n\| id        \| [0-9a-f-]{36} \|\n\| name      \| edgebu1 +\|\n\| volume_id \| {id:vol_1} \|\n\+-----------\+-+\+\n$"),
        new(Rhosp, "3.2 Backing up and restoring across edge sites",
            "cinder --os-volume-api-version 3.51 create --availability-zone nova --name edgevol1 --backup-id {id:backup:edgebu1} 1", 0,
            @"^\| Property +\| Value +\|$", @"^\| availability_zone +\| nova +\|$", @"^\| name +\| edgevol1 +\|$", @"^\| size +\| 1 +\|$", @"^\| status +\| available +\|$"),
        new(Rhosp, "3.3.1 Exporting backup metadata", "openstack volume backup list", 0, @"\| vol1bu2 +\|"),
        new(Rhosp, "3.3.1 Exporting backup metadata", "openstack volume backup record export -f yaml vol1bu2 > vol1bu2.yaml", 0),
        new(Rhosp, "3.3.1 Verification", "openstack volume backup record export -f yaml vol1bu2", 0,
            @"^backup_service: cinder\.backup\.drivers\.posix\.PosixBackupDriver\nbackup_url: [A-Za-z0-9+/=]+\n$"),
        new(Rhosp, "3.4.1 Restoring a backup to a specific volume", "openstack volume backup list", 0, @"\| vol1bu2 +\|"),
        new(Rhosp, "3.4.1 Restoring a backup to a specific volume", "openstack volume list", 0, @"\| vol_3 +\|"),
        new(Rhosp, "3.4.1 Restoring a backup to a specific volume", "openstack volume backup restore vol1bu2 vol_3", 0,
            @"\| backup_id +\| {id:backup:vol1bu2} +\|", @"\| volume_id +\| {id:vol_3} +\|", @"\| volume_name +\| vol_3 +\|"),
        new(Rhosp, "3.4.2 Restoring a backup to a new volume", "openstack volume backup list", 0, @"\| vol1bu2 +\|"),
        new(Rhosp, "3.4.2 Restoring a backup to a new volume", "openstack volume backup restore vol1bu2", 0, @"\| backup_id +\| {id:backup:vol1bu2} +\|", @"\| volume_name +\| vol_1 +\|"),
        new(Rhosp, "3.4.2 Verification", "openstack volume list", 0, @"\| vol_1 +\| available +\|"),
        new(Rhosp, "3.4.2 Restoring a backup to a new volume", "cinder backup-restore vol1bu2", 0,
            @"^\+-------------\+--------------------------------------\+\n\| Property    \| Value                                \|\n\+-------------\+-+\+\n\| backup_id   \| {id:backup:vol1bu2} \|\n\| volume_id   \| [0-9a-f-]{36} \|\n\| volume_name \| vol_1 +\|\n\+-------------\+-+\+\n$"),
        new(Rhosp, "3.1.8 Canceling a backup", "openstack volume backup list", 0, @"\| snap1bu1 +\|"),
        new(Rhosp, "3.1.8 Canceling a backup", "openstack volume backup delete --force snap1bu1", 0),
        new(Rhosp, "3.1.8 Verification", "openstack volume backup show snap1bu1", 1, @"^No backup with a name or ID of 'snap1bu1' exists\.\n$"),
        new(Rhosp, "4.1 Verifying the Block Storage backup service deployment", "openstack volume service list", 0),

        // The CERN page, from the first backup to the last delete.
        new(Cern, "Creating a volume backup", "openstack volume backup create myvol10 --name myvol10-initial --description 'Initial backup of myvol10' --force", 0,
            @"^\+-------\+--------------------------------------\+\n\| Field \| Value                                \|\n\+-------\+--------------------------------------\+\n\| id    \| [0-9a-f-]{36} \|\n\| name  \| myvol10-initial                      \|\n\+-------\+--------------------------------------\+\n$"),
        new(Cern, "Creating a volume backup", "openstack volume backup show myvol10-initial", 0,
            @"\| description +\| Initial backup of myvol10 +\|", @"\| has_dependent_backups +\| False +\|", @"\| is_incremental +\| False +\|",
            @"\| name +\| myvol10-initial +\|", @"\| size +\| 10 +\|", @"\| snapshot_id +\| None +\|", @"\| status +\| available +\|", @"\| volume_id +\| {id:myvol10} +\|",
            @"\| fail_reason +\| None +\|", @"\| created_at +\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} +\|"),
        new(Cern, "Creating incremental backups", "openstack volume backup create myvol10 --name myvol10-incr1 --description 'First incremental of myvol10' --force --incremental", 0,
            @"\| name  \| myvol10-incr1                        \|"),
        new(Cern, "Creating incremental backups", "openstack volume backup show myvol10-incr1", 0, @"\| is_incremental +\| True +\|", @"\| has_dependent_backups +\| False +\|"),
        new(Cern, "Creating incremental backups", "openstack volume backup show myvol10-initial", 0, @"\| has_dependent_backups +\| True +\|"),
        new(Cern, "Creating incremental backups", "openstack volume backup delete myvol10-initial", 1,
            @"^Failed to delete backup with name or ID 'myvol10-initial': Invalid backup: Incremental backups exist for this backup\. \(HTTP 400\)\n1 of 1 backups failed to delete\.\n$"),
        new(Cern, "Creating volume backups from existing snapshots",
            "openstack volume backup create myvol10 --snapshot myvol10-snapshot1 --name myvol10-fromsnap --description \"backup from snapshot 1 of myvol10\"", 0,
            @"\| name  \| myvol10-fromsnap                     \|"),
        new(Cern, "Creating volume backups from existing snapshots", "openstack volume backup show myvol10-fromsnap", 0,
            @"\| description +\| backup from snapshot 1 of myvol10 +\|", @"\| snapshot_id +\| {id:snapshot:myvol10-snapshot1} +\|", @"\| volume_id +\| {id:myvol10} +\|"),
        new(Cern, "Restoring from a backup", "openstack volume backup list", 0,
            @"\| myvol10-fromsnap +\| backup from snapshot 1 of myvol10 \| available \| +10 \|", @"\| myvol10-incr1 +\| First incremental of myvol10 +\| available \| +10 \|",
            @"\| myvol10-initial +\| Initial backup of myvol10 +\| available \| +10 \|"),
        new(Cern, "Restoring from a backup", "openstack volume backup restore myvol10-incr1", 0, @"\| volume_name +\| myvol10 +\|"),
        new(Cern, "Restoring from a backup", "openstack volume list", 0, @"\| myvol10 +\| available +\| +10 \| +\|", @"\| myvol10 +\| in-use +\| +10 \| Attached to cephdev8 on /dev/vdb +\|"),
        new(Cern, "Restoring from a backup", "openstack volume create --description \"restored from myvol10-incr1\" --size 50 --type io1 myvol-restored", 0, @"\| name +\| myvol-restored +\|"),
        new(Cern, "Restoring from a backup", "openstack volume backup restore myvol10-incr1 myvol-restored --force", 0, @"\| volume_name +\| myvol-restored +\|"),
        new(Cern, "Restoring from a backup", "openstack volume show myvol-restored", 0,
            @"\| description +\| restored from myvol10-incr1 +\|", @"\| name +\| myvol-restored +\|", @"\| size +\| 50 +\|", @"\| type +\| io1 +\|", @"\| status +\| available +\|"),
        new(Cern, "Deleting backups", "openstack volume backup delete myvol10-fromsnap", 0),

        // The upstream admin guide.
        new(Upstream, "Back up and restore volumes and snapshots", "openstack volume backup create --incremental --force vol_3", 0, @"\| id +\| [0-9a-f-]{36} +\|"),
        new(Upstream, "Back up and restore volumes and snapshots", "openstack volume backup restore {id:backup:myvol10-incr1} {id:myvol-restored}", 0, @"\| volume_name +\| myvol-restored +\|"),
        new(Upstream, "Back up and restore volumes and snapshots", "openstack volume backup set --state error {id:backup:panvol2bu1}", 0),
        new(Upstream, "Back up and restore volumes and snapshots", "cinder backup-reset-state --state error {id:backup:panvol2bu1} {id:backup:vol3incbu1}", 0,
            @"^Request to update backup '{id:backup:panvol2bu1}' has been accepted\.\nRequest to update backup '{id:backup:vol3incbu1}' has been accepted\.\n$"),
        new(Upstream, "Back up and restore volumes and snapshots", "cinder backup-reset-state {id:backup:vol3incbu1}", 0,
            @"^Request to update backup '{id:backup:vol3incbu1}' has been accepted\.\n$"),
        new(Upstream, "Back up and restore volumes and snapshots", "openstack volume backup show vol3incbu1", 0, @"\| status +\| available +\|"),
        new(Upstream, "Back up and restore volumes and snapshots", "openstack volume backup delete --force {id:backup:panvol2bu1}", 0),
    };

    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void TheSeedsCommandLinesRunAsWritten()
    {
        _home.WriteConfig("backup_file_size: 8MiB\nquota_volumes: -1\n");
        // What the seeds' environment already has (no seed line makes it): the volumes with data, an attached one, a
        // snapshot each, and the io1 type.
        foreach (var (name, size) in new[] { ("vol_1", "1"), ("vol_2", "1"), ("Pansible_vol_2", "1"), ("vol_3", "1"), ("myvol10", "10") })
        {
            CliRunner.Ok(_home, "volume", "create", "--size", size, name);
            Disk.WriteRandom(CliRunner.Value(_home, "volume", "show", name, "-c", "path"), 0, 1 << 20, seed: name.Length);
        }
        CliRunner.Ok(_home, "volume", "attach", "Pansible_vol_2", "--instance", "ansible1", "--device", "/dev/vdb");
        CliRunner.Ok(_home, "volume", "attach", "myvol10", "--instance", "cephdev8", "--device", "/dev/vdb");
        CliRunner.Ok(_home, "volume", "snapshot", "create", "--volume", "vol_2", "snap_1");
        CliRunner.Ok(_home, "volume", "snapshot", "create", "--volume", "myvol10", "--force", "myvol10-snapshot1");
        CliRunner.Ok(_home, "volume", "type", "create", "io1");
        // RHOSP 3.1.4.1's prerequisite: "At least one full backup of the volume".
        CliRunner.Ok(_home, "volume", "backup", "create", "--name", "vol3full", "vol_3");
        var project = CliRunner.Value(_home, "context", "show", "-c", "project");

        var failures = new StringBuilder();
        foreach (var seed in Lines)
        {
            var line = Substitute(seed.Line.Replace("{project}", project));
            // The openstack client's lines, and python-cinderclient's (its top-level commands).
            var client = line.Split(' ')[0];
            Assert.True(client is "openstack" or "cinder", line);
            string? redirect = null;
            if (Regex.Match(line, @" > (\S+)$") is { Success: true } m)
            {
                redirect = _home.File_(m.Groups[1].Value);
                line = line[..m.Index];
            }
            var r = CliRunner.Run(_home, Words(line[(client.Length + 1)..]).ToArray());
            if (redirect is not null)
            {
                File.WriteAllText(redirect, r.Stdout);
            }
            var problems = new List<string>();
            if (r.ExitCode != seed.Exit)
            {
                problems.Add($"exit {r.ExitCode}, not {seed.Exit}");
            }
            foreach (var pattern in seed.Shows.Select(Substitute))
            {
                if (!Regex.IsMatch(seed.Exit == 0 ? r.Stdout : r.Stderr, pattern, RegexOptions.Multiline))
                {
                    problems.Add("does not show " + pattern);
                }
            }
            if (problems.Count > 0)
            {
                failures.Append($"{seed.Seed}, {seed.Section}: cinder-backup {line[(client.Length + 1)..]}\n  {string.Join("\n  ", problems)}\n{r}\n\n");
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    /// <summary>{id:NAME} is a volume's id, {id:backup:NAME} a backup's, {id:snapshot:NAME} a snapshot's.</summary>
    private string Substitute(string text) => Regex.Replace(text, @"\{id:(?:(backup|snapshot):)?([^}]+)\}", m => m.Groups[1].Value switch
    {
        "backup" => CliRunner.Value(_home, "volume", "backup", "show", m.Groups[2].Value, "-c", "id"),
        "snapshot" => CliRunner.Value(_home, "volume", "snapshot", "show", m.Groups[2].Value, "-c", "id"),
        _ => CliRunner.Value(_home, "volume", "show", m.Groups[2].Value, "-c", "id"),
    });

    /// <summary>A shell's words: blanks split, single and double quotes group (the seeds use no escapes).</summary>
    private static IEnumerable<string> Words(string line)
    {
        var word = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        foreach (var c in line)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (c == ' ')
            {
                if (inWord)
                {
                    yield return word.ToString();
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord)
        {
            yield return word.ToString();
        }
    }
}
