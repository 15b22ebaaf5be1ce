using System.Management.Automation;
using CinderBackup.Commands.Infrastructure;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Util;

namespace CinderBackup.Commands;

/// <summary>
/// Retention (restic's <c>forget --keep-*</c>, the CLI's <c>volume backup prune</c>): removes the available backups of
/// each volume that the -Keep* rules do not keep, newest first, and never a parent of a kept backup. Writes one
/// RetentionDecision per backup considered. -WhatIf removes nothing and shows what would go; each removal asks
/// ShouldProcess (ConfirmImpact High, as Remove-VolumeBackup), and a declined one keeps that backup's parents too.
/// </summary>
[Cmdlet(VerbsData.Limit, "VolumeBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RetentionDecision))]
public sealed class LimitVolumeBackupCommand : CinderBackupCmdlet
{
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int KeepLast { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int KeepDaily { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int KeepWeekly { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int KeepMonthly { get; set; }

    /// <summary>Only this volume's backups (name or ID); binds from a piped volume's VolumeId.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("VolumeId")]
    [ArgumentCompleter(typeof(VolumeCompleter))]
    public string? Volume { get; set; }

    protected override void ProcessRecord()
    {
        Try(Volume, () =>
        {
            var policy = new RetentionPolicy
            {
                Last = Bound(nameof(KeepLast), KeepLast), Daily = Bound(nameof(KeepDaily), KeepDaily),
                Weekly = Bound(nameof(KeepWeekly), KeepWeekly), Monthly = Bound(nameof(KeepMonthly), KeepMonthly),
            };
            var whatIf = WhatIfActive;
            var decisions = Engine.Backups.Prune(policy, Volume, dryRun: whatIf,
                confirm: d => Confirmed(Describe(d), "Remove backup (retention " + policy + ")"));
            foreach (var d in decisions)
            {
                if (whatIf && d.Action == "remove")
                {
                    ShouldProcess(Describe(d), "Remove backup (retention " + policy + ")");
                }
                WriteObject(d);
            }
        });
    }

    private int? Bound(string name, int value) => MyInvocation.BoundParameters.ContainsKey(name) ? value : null;

    private bool WhatIfActive =>
        (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && LanguagePrimitives.IsTrue(w)) ||
        (!MyInvocation.BoundParameters.ContainsKey("WhatIf") && LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")));

    private static string Describe(RetentionDecision d) =>
        d.Name is { Length: > 0 } n ? $"{PrintableText.Escape(n)} ({d.BackupId})" : d.BackupId;
}
