using System.Text;
using System.Xml;
using Anytun.HelpGen.Model;

namespace Anytun.HelpGen.Maml;

/// <summary>Writes cmdlet help as one MAML <c>helpItems</c> file in the layout Get-Help reads.</summary>
public static class MamlWriter
{
    public static void Write(string path, IReadOnlyList<CommandHelp> commands)
    {
        var settings = new XmlWriterSettings
        {
            Indent = true,
            IndentChars = "  ",
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            NewLineChars = "\n",
        };
        using var writer = XmlWriter.Create(path, settings);
        writer.WriteStartDocument();
        writer.WriteStartElement("helpItems", MamlNamespaces.HelpItems);
        writer.WriteAttributeString("schema", "maml");
        foreach (var command in commands)
        {
            WriteCommand(writer, command);
        }

        writer.WriteEndElement();
        writer.WriteEndDocument();
    }

    private static void WriteCommand(XmlWriter w, CommandHelp command)
    {
        w.WriteStartElement("command", "command", MamlNamespaces.Command);
        w.WriteAttributeString("xmlns", "maml", null, MamlNamespaces.Maml);
        w.WriteAttributeString("xmlns", "dev", null, MamlNamespaces.Dev);
        w.WriteAttributeString("xmlns", "MSHelp", null, MamlNamespaces.MSHelp);

        w.WriteStartElement("command", "details", MamlNamespaces.Command);
        w.WriteElementString("command", "name", MamlNamespaces.Command, command.Name);
        w.WriteElementString("command", "verb", MamlNamespaces.Command, command.Verb);
        w.WriteElementString("command", "noun", MamlNamespaces.Command, command.Noun);
        WriteDescription(w, new[] { command.Synopsis });
        w.WriteEndElement();

        WriteDescription(w, command.Description);

        w.WriteStartElement("command", "syntax", MamlNamespaces.Command);
        foreach (var set in command.Syntax)
        {
            w.WriteStartElement("command", "syntaxItem", MamlNamespaces.Command);
            w.WriteElementString("maml", "name", MamlNamespaces.Maml, command.Name);
            foreach (string name in set.ParameterNames)
            {
                var parameter = command.Parameters.First(p => p.Name == name);
                WriteParameter(w, parameter, parameter.ForSet(set.SetName)!, parameter.ForSet(set.SetName)!.Required);
            }

            w.WriteEndElement();
        }

        w.WriteEndElement();

        w.WriteStartElement("command", "parameters", MamlNamespaces.Command);
        foreach (var parameter in command.Parameters)
        {
            // One entry per parameter: mandatory if it is mandatory in any set (what Get-Help -Parameter shows).
            WriteParameter(w, parameter, parameter.First, parameter.Sets.Any(s => s.Required));
        }

        w.WriteEndElement();

        WriteTypes(w, "inputTypes", "inputType", command.Inputs);
        WriteTypes(w, "returnValues", "returnValue", command.Outputs);

        w.WriteStartElement("maml", "alertSet", MamlNamespaces.Maml);
        if (command.Notes.Count > 0)
        {
            w.WriteStartElement("maml", "alert", MamlNamespaces.Maml);
            WriteParas(w, command.Notes);
            w.WriteEndElement();
        }

        w.WriteEndElement();

        w.WriteStartElement("command", "examples", MamlNamespaces.Command);
        foreach (var example in command.Examples)
        {
            w.WriteStartElement("command", "example", MamlNamespaces.Command);
            w.WriteElementString("maml", "title", MamlNamespaces.Maml, $"--------- {example.Title} ---------");
            w.WriteElementString("dev", "code", MamlNamespaces.Dev, example.Code);
            w.WriteStartElement("dev", "remarks", MamlNamespaces.Dev);
            // The trailing empty paragraph is the blank line Get-Help otherwise omits before the next example's title.
            WriteParas(w, example.Remarks.Append(string.Empty));
            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteEndElement();

        w.WriteStartElement("command", "relatedLinks", MamlNamespaces.Command);
        foreach (var link in command.Links)
        {
            w.WriteStartElement("maml", "navigationLink", MamlNamespaces.Maml);
            w.WriteElementString("maml", "linkText", MamlNamespaces.Maml, link.Text);
            w.WriteElementString("maml", "uri", MamlNamespaces.Maml, link.Uri);
            w.WriteEndElement();
        }

        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void WriteParameter(XmlWriter w, ParameterHelp parameter, ParameterSetHelp set, bool required)
    {
        w.WriteStartElement("command", "parameter", MamlNamespaces.Command);
        w.WriteAttributeString("required", required ? "true" : "false");
        w.WriteAttributeString("variableLength", "true");
        w.WriteAttributeString("globbing", set.Wildcards ? "true" : "false");
        w.WriteAttributeString("pipelineInput", set.PipelineInputText);
        w.WriteAttributeString("position", set.Position);
        w.WriteAttributeString("aliases", set.Aliases.Count == 0 ? "none" : string.Join(", ", set.Aliases));
        w.WriteElementString("maml", "name", MamlNamespaces.Maml, parameter.Name);
        WriteDescription(w, parameter.Description);
        if (set.AcceptedValues.Count > 0)
        {
            // Get-Help renders the group as {A | B | C} in the syntax line.
            w.WriteStartElement("command", "parameterValueGroup", MamlNamespaces.Command);
            foreach (string value in set.AcceptedValues)
            {
                WriteParameterValue(w, value, false);
            }

            w.WriteEndElement();
        }

        // Switches have no value element, which is how Get-Help knows to print [-Force] instead of [-Force <SwitchParameter>].
        if (!parameter.IsSwitch)
        {
            WriteParameterValue(w, set.Type, set.Type.EndsWith("[]", StringComparison.Ordinal));
        }

        w.WriteStartElement("dev", "type", MamlNamespaces.Dev);
        w.WriteElementString("maml", "name", MamlNamespaces.Maml, set.Type);
        w.WriteElementString("maml", "uri", MamlNamespaces.Maml, string.Empty);
        w.WriteEndElement();
        w.WriteElementString("dev", "defaultValue", MamlNamespaces.Dev, set.DefaultValue);
        w.WriteEndElement();
    }

    private static void WriteParameterValue(XmlWriter w, string text, bool variableLength)
    {
        w.WriteStartElement("command", "parameterValue", MamlNamespaces.Command);
        w.WriteAttributeString("required", "true");
        w.WriteAttributeString("variableLength", variableLength ? "true" : "false");
        w.WriteString(text);
        w.WriteEndElement();
    }

    private static void WriteTypes(XmlWriter w, string listName, string itemName, IReadOnlyList<TypeHelp> types)
    {
        w.WriteStartElement("command", listName, MamlNamespaces.Command);
        foreach (var type in types)
        {
            w.WriteStartElement("command", itemName, MamlNamespaces.Command);
            w.WriteStartElement("dev", "type", MamlNamespaces.Dev);
            w.WriteElementString("maml", "name", MamlNamespaces.Maml, type.TypeName);
            w.WriteEndElement();
            WriteDescription(w, type.Description);
            w.WriteEndElement();
        }

        w.WriteEndElement();
    }

    private static void WriteDescription(XmlWriter w, IEnumerable<string> paragraphs)
    {
        w.WriteStartElement("maml", "description", MamlNamespaces.Maml);
        WriteParas(w, paragraphs);
        w.WriteEndElement();
    }

    private static void WriteParas(XmlWriter w, IEnumerable<string> paragraphs)
    {
        foreach (string paragraph in paragraphs)
        {
            w.WriteElementString("maml", "para", MamlNamespaces.Maml, paragraph);
        }
    }
}
