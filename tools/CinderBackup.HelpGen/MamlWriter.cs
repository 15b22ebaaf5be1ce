using System.Text;
using System.Xml;

namespace CinderBackup.HelpGen;

/// <summary>Writes MAML (what Get-Help reads from CinderBackup.dll-Help.xml) from help documents and cmdlet metadata.</summary>
public static class MamlWriter
{
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static string Write(IReadOnlyList<CmdletInfo> cmdlets, IReadOnlyDictionary<string, HelpDocument> docs)
    {
        var sb = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false };
        using (var w = XmlWriter.Create(new StringWriterUtf8(sb), settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("helpItems", "http://msh");
            w.WriteAttributeString("schema", "maml");
            foreach (var cmdlet in cmdlets)
            {
                WriteCommand(w, cmdlet, docs[cmdlet.Name]);
            }
            w.WriteEndElement();
        }
        return sb.ToString().Replace("\r\n", "\n") + "\n";
    }

    private static void WriteCommand(XmlWriter w, CmdletInfo c, HelpDocument d)
    {
        w.WriteStartElement("command", "command", Command);
        w.WriteAttributeString("xmlns", "maml", null, Maml);
        w.WriteAttributeString("xmlns", "dev", null, Dev);
        w.WriteStartElement("command", "details", Command);
        w.WriteElementString("command", "name", Command, c.Name);
        w.WriteElementString("command", "verb", Command, c.Verb);
        w.WriteElementString("command", "noun", Command, c.Noun);
        Paras(w, "description", new[] { d.Synopsis });
        w.WriteEndElement();
        Paras(w, "description", d.Description);

        w.WriteStartElement("command", "syntax", Command);
        foreach (var set in c.ParameterSets)
        {
            w.WriteStartElement("command", "syntaxItem", Command);
            w.WriteElementString("maml", "name", Maml, c.Name);
            foreach (var p in AllParameters(c).Where(p => p.Info is null || p.Info.InSet(set)))
            {
                WriteParameter(w, c, p, d, set);
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("command", "parameters", Command);
        foreach (var p in AllParameters(c))
        {
            WriteParameter(w, c, p, d, null);
        }
        w.WriteEndElement();

        TypeList(w, "inputTypes", "inputType", d.Inputs);
        TypeList(w, "returnValues", "returnValue", d.Outputs);
        w.WriteStartElement("maml", "alertSet", Maml);
        w.WriteStartElement("maml", "alert", Maml);
        foreach (var n in d.Notes)
        {
            w.WriteElementString("maml", "para", Maml, n);
        }
        w.WriteEndElement();
        w.WriteEndElement();

        w.WriteStartElement("command", "examples", Command);
        foreach (var e in d.Examples)
        {
            w.WriteStartElement("command", "example", Command);
            w.WriteElementString("maml", "title", Maml, $"-------------------------- {e.Title} --------------------------");
            w.WriteElementString("dev", "code", Dev, e.Code);
            w.WriteStartElement("dev", "remarks", Dev);
            foreach (var r in e.Remarks)
            {
                w.WriteElementString("maml", "para", Maml, r);
            }
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("command", "relatedLinks", Command);
        foreach (var link in d.RelatedLinks)
        {
            w.WriteStartElement("maml", "navigationLink", Maml);
            w.WriteElementString("maml", "linkText", Maml, link);
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private sealed record Param(string Name, ParameterInfo? Info, string Description, string Type);

    /// <summary>The cmdlet's own parameters, then WhatIf and Confirm for ShouldProcess cmdlets (as platyPS does).</summary>
    private static IEnumerable<Param> AllParameters(CmdletInfo c)
    {
        foreach (var p in c.Parameters)
        {
            yield return new Param(p.Name, p, "", p.TypeName);
        }
        if (c.SupportsShouldProcess)
        {
            yield return new Param("Confirm", null, "Prompts you for confirmation before running the cmdlet.", "SwitchParameter");
            yield return new Param("WhatIf", null, "Shows what would happen if the cmdlet runs. The cmdlet is not run.", "SwitchParameter");
        }
    }

    private static void WriteParameter(XmlWriter w, CmdletInfo c, Param p, HelpDocument d, string? set)
    {
        var info = p.Info;
        var sets = info?.Sets ?? Array.Empty<ParameterSetInfo>();
        var one = info is null ? null : set is null ? info.Sets[0] : info.For(set);
        var required = set is null ? sets.Any(s => s.Mandatory) && sets.All(s => s.Mandatory) : one?.Mandatory == true;
        var byValue = sets.Any(s => s.ValueFromPipeline);
        var byName = sets.Any(s => s.ValueFromPipelineByPropertyName);
        var pipeline = (byValue, byName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
        var position = one is { Position: >= 0 } ? one.Position.ToString(System.Globalization.CultureInfo.InvariantCulture) : "named";
        var isSwitch = p.Type == "SwitchParameter";
        w.WriteStartElement("command", "parameter", Command);
        w.WriteAttributeString("required", required ? "true" : "false");
        w.WriteAttributeString("variableLength", "true");
        w.WriteAttributeString("globbing", info?.SupportsWildcards == true ? "true" : "false");
        w.WriteAttributeString("pipelineInput", pipeline);
        w.WriteAttributeString("position", position);
        w.WriteAttributeString("aliases", info is { Aliases.Count: > 0 } ? string.Join(", ", info.Aliases) : p.Name == "Confirm" ? "cf" : p.Name == "WhatIf" ? "wi" : "none");
        w.WriteElementString("maml", "name", Maml, p.Name);
        var text = info is not null && d.Parameters.TryGetValue(p.Name, out var paras) ? paras : new List<string> { p.Description };
        Paras(w, "description", text);
        if (!isSwitch)
        {
            w.WriteStartElement("command", "parameterValue", Command);
            w.WriteAttributeString("required", "true");
            w.WriteAttributeString("variableLength", "false");
            w.WriteString(p.Type);
            w.WriteEndElement();
        }
        w.WriteStartElement("dev", "type", Dev);
        w.WriteElementString("maml", "name", Maml, p.Type);
        w.WriteElementString("maml", "uri", Maml, "");
        w.WriteEndElement();
        w.WriteElementString("dev", "defaultValue", Dev, isSwitch ? "False" : "None");
        w.WriteEndElement();
    }

    private static void TypeList(XmlWriter w, string list, string item, List<(string Type, string Text)> types)
    {
        w.WriteStartElement("command", list, Command);
        foreach (var (type, text) in types)
        {
            w.WriteStartElement("command", item, Command);
            w.WriteStartElement("dev", "type", Dev);
            w.WriteElementString("maml", "name", Maml, type);
            w.WriteEndElement();
            Paras(w, "description", new[] { text });
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void Paras(XmlWriter w, string element, IEnumerable<string> paras)
    {
        w.WriteStartElement("maml", element, Maml);
        foreach (var p in paras)
        {
            w.WriteElementString("maml", "para", Maml, p);
        }
        w.WriteEndElement();
    }

    private sealed class StringWriterUtf8 : StringWriter
    {
        public StringWriterUtf8(StringBuilder sb) : base(sb, System.Globalization.CultureInfo.InvariantCulture)
        {
        }

        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
