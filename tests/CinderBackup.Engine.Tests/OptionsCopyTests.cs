using System.Reflection;
using CinderBackup.Engine.Api;
using CinderBackup.Engine.Pipeline;

namespace CinderBackup.Engine.Tests;

/// <summary>
/// Options and requests are records copied with <c>with</c> (issue 17, item 5): every property of a fully populated value
/// survives the copies the front ends make, so a field added later cannot be dropped by a hand-written copy.
/// </summary>
public sealed class OptionsCopyTests
{
    [Fact]
    public void BackupCreateOptionsKeepEveryFieldWhenTheCmdletAddsProgress()
    {
        var full = Populate(new BackupCreateOptions { Volume = "v" });
        var progress = new Progress<TransferProgress>();
        using var cts = new CancellationTokenSource();
        var copy = full with { Progress = progress, Cancel = cts.Token }; // as New-VolumeBackup does
        AssertSame(full, copy, nameof(BackupCreateOptions.Progress), nameof(BackupCreateOptions.Cancel));
    }

    [Fact]
    public void EngineOptionsKeepEveryFieldWhenAJobChangesTheDetailSink()
    {
        var full = Populate(new EngineOptions());
        var copy = full with { Detail = _ => { } }; // as CinderBackupJob does
        AssertSame(full, copy, nameof(EngineOptions.Detail));
    }

    [Fact]
    public void OptionsAndRequestsAreRecordsWithInitOnlyProperties()
    {
        foreach (var type in new[] { typeof(BackupCreateOptions), typeof(EngineOptions), typeof(VolumeFromBackupOptions), typeof(BackupChanges), typeof(VolumeChanges) })
        {
            Assert.NotNull(type.GetMethod("<Clone>$")); // a record: `with` copies every field
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract"))
            {
                Assert.True(p.SetMethod is { } set && set.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)),
                    $"{type.Name}.{p.Name} is not init-only");
            }
        }
    }

    /// <summary>Sets every settable property to a value unlike its default, so a dropped one shows.</summary>
    private static T Populate<T>(T value)
    {
        foreach (var p in Properties(typeof(T)))
        {
            p.SetValue(value, Sample(p.PropertyType, p.Name));
            Assert.NotEqual(Default(p.PropertyType), p.GetValue(value));
        }
        return value;
    }

    private static object Sample(Type t, string name)
    {
        var u = Nullable.GetUnderlyingType(t) ?? t;
        if (u == typeof(string)) return "sample-" + name;
        if (u == typeof(bool)) return true;
        if (u == typeof(int)) return 7;
        if (u == typeof(CancellationToken)) return new CancellationTokenSource().Token;
        if (u == typeof(IReadOnlyDictionary<string, string>)) return new Dictionary<string, string> { ["k"] = name };
        if (u == typeof(IProgress<TransferProgress>)) return new Progress<TransferProgress>();
        if (u == typeof(Action<string>)) return new Action<string>(_ => { });
        if (u == typeof(Func<string, string?>)) return new Func<string, string?>(_ => name);
        if (u == typeof(System.Net.NetworkCredential)) return new System.Net.NetworkCredential("u", "p");
        throw new InvalidOperationException($"No sample for {t} ({name}): add one, so the new field is covered.");
    }

    private static object? Default(Type t) => t.IsValueType && Nullable.GetUnderlyingType(t) is null ? Activator.CreateInstance(t) : null;

    private static IEnumerable<PropertyInfo> Properties(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.Name != "EqualityContract");

    private static void AssertSame<T>(T original, T copy, params string[] changed)
    {
        foreach (var p in Properties(typeof(T)).Where(p => !changed.Contains(p.Name)))
        {
            Assert.True(Equals(p.GetValue(original), p.GetValue(copy)), $"{typeof(T).Name}.{p.Name} was dropped by the copy");
        }
    }
}
