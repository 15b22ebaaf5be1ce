namespace CinderBackup.Engine.Completion;

/// <summary>One completion: the text to insert (a name, or the id where the name is missing or not unique) and a tooltip.</summary>
public sealed record CompletionCandidate(string Text, string Id, string? Name, string ToolTip);
