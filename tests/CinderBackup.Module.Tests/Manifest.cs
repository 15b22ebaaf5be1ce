using System.Text.RegularExpressions;
using CinderBackup.HelpGen;

namespace CinderBackup.Module.Tests;

/// <summary>The few facts tests need from CinderBackup.psd1, read as text (no PowerShell here).</summary>
internal static class Manifest
{
    public static string Path => System.IO.Path.Combine(ModuleMetadata.RepositoryRoot, "CinderBackup.psd1");

    public static string Text => File.ReadAllText(Path);

    public static string Scalar(string key) =>
        Regex.Match(Text, $@"(?m)^\s*{key}\s*=\s*'([^']*)'").Groups[1].Value;

    /// <summary>The quoted strings of an <c>@( ... )</c> array value.</summary>
    public static IReadOnlyList<string> Array(string key)
    {
        var m = Regex.Match(Text, $@"(?ms)^\s*{key}\s*=\s*@\((.*?)\)");
        Assert.True(m.Success, $"{key} is not an @() array in the manifest");
        return Regex.Matches(m.Groups[1].Value, "'([^']*)'").Select(x => x.Groups[1].Value).ToList();
    }
}
