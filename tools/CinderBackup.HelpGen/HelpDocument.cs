namespace CinderBackup.HelpGen;

/// <summary>One cmdlet's help as written in its platyPS-style markdown file (en-US/Verb-Noun.md).</summary>
public sealed class HelpDocument
{
    public string File { get; init; } = "";
    public string Name { get; set; } = "";
    public string Synopsis { get; set; } = "";
    public List<string> Description { get; } = new();
    public List<HelpExample> Examples { get; } = new();
    public Dictionary<string, List<string>> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<(string Type, string Text)> Inputs { get; } = new();
    public List<(string Type, string Text)> Outputs { get; } = new();
    public List<string> Notes { get; } = new();
    public List<string> RelatedLinks { get; } = new();

    /// <summary>Parses the markdown: ## sections, ### entries, fenced code for examples, blank-line paragraphs.</summary>
    public static HelpDocument Parse(string path)
    {
        var doc = new HelpDocument { File = path };
        string? section = null;
        string? entry = null;
        var lines = System.IO.File.ReadAllLines(path);
        var i = 0;
        if (lines.Length > 0 && lines[0] == "---")
        {
            i = Array.IndexOf(lines, "---", 1) + 1;
        }
        var paragraph = new List<string>();
        HelpExample? example = null;

        void Flush()
        {
            if (paragraph.Count == 0)
            {
                return;
            }
            var text = string.Join(" ", paragraph.Select(l => l.Trim()));
            paragraph.Clear();
            switch (section)
            {
                case "SYNOPSIS": doc.Synopsis = doc.Synopsis.Length == 0 ? text : doc.Synopsis + " " + text; break;
                case "DESCRIPTION": doc.Description.Add(text); break;
                case "EXAMPLES" when example is not null: example.Remarks.Add(text); break;
                case "PARAMETERS" when entry is not null: doc.Parameters[entry].Add(text); break;
                case "INPUTS" when entry is not null: doc.Inputs[^1] = (entry, (doc.Inputs[^1].Text + " " + text).Trim()); break;
                case "OUTPUTS" when entry is not null: doc.Outputs[^1] = (entry, (doc.Outputs[^1].Text + " " + text).Trim()); break;
                case "NOTES": doc.Notes.Add(text); break;
                case "RELATED LINKS": doc.RelatedLinks.Add(text); break;
            }
        }

        for (; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                Flush();
                doc.Name = line[2..].Trim();
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                section = line[3..].Trim().ToUpperInvariant();
                entry = null;
                example = null;
            }
            else if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                Flush();
                entry = line[4..].Trim();
                switch (section)
                {
                    case "EXAMPLES":
                        example = new HelpExample { Title = entry };
                        doc.Examples.Add(example);
                        break;
                    case "PARAMETERS":
                        entry = entry.TrimStart('-');
                        doc.Parameters[entry] = new List<string>();
                        break;
                    case "INPUTS":
                        doc.Inputs.Add((entry, ""));
                        break;
                    case "OUTPUTS":
                        doc.Outputs.Add((entry, ""));
                        break;
                }
            }
            else if (line.StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                var code = new List<string>();
                for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
                {
                    code.Add(lines[i]);
                }
                if (section == "EXAMPLES" && example is not null && example.Code.Length == 0)
                {
                    example.Code = string.Join("\n", code);
                }
            }
            else if (line.Trim().Length == 0)
            {
                Flush();
            }
            else
            {
                paragraph.Add(line);
            }
        }
        Flush();
        return doc;
    }
}

public sealed class HelpExample
{
    public string Title { get; init; } = "";
    public string Code { get; set; } = "";
    public List<string> Remarks { get; } = new();
}
