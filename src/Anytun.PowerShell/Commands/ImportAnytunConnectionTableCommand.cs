using System.Management.Automation;
using Anytun.Engine;
using Anytun.Engine.Configuration;
using Anytun.Engine.Sync;

namespace Anytun;

/// <summary>
/// Import-AnytunConnectionTable: reads a connection-table file (anytun-config output, with or without newlines, as
/// anytun-controld reads it) back into connection definitions: one per connection entry, with the routes of its mux.
/// Malformed frames are non-terminating errors naming the line; entries that cannot be represented are warnings.
/// </summary>
[Cmdlet(VerbsData.Import, "AnytunConnectionTable")]
[OutputType(typeof(AnytunConnectionDefinition))]
public sealed class ImportAnytunConnectionTableCommand : AnytunCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var pattern in Path)
        {
            System.Collections.ObjectModel.Collection<string> paths;
            try
            {
                paths = GetResolvedProviderPathFromPSPath(pattern, out _);
            }
            catch (ItemNotFoundException)
            {
                WriteError(ControlPlaneErrors.TableFileNotFound(pattern, "-Path"));
                continue;
            }

            foreach (var path in paths)
            {
                ImportFile(path);
            }
        }
    }

    private void ImportFile(string path)
    {
        IReadOnlyList<SyncMessage> messages;
        try
        {
            messages = SyncTableFile.ReadFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or AnytunException)
        {
            WriteError(AnytunErrors.FromAny(ex, path));
            return;
        }

        try
        {
            var result = ConnectionTableImport.Import(messages);
            foreach (var problem in result.Problems)
            {
                if (problem.IsError)
                {
                    WriteError(AnytunErrors.Create(AnytunErrorCode.InvalidSyncData, $"{path}: {problem.Message}", path));
                }
                else
                {
                    WriteWarning($"{path}: {problem.Message}");
                }
            }

            foreach (var definition in result.Definitions)
            {
                foreach (var warning in definition.Warnings)
                {
                    WriteWarning($"{path}, mux {definition.Mux}: {warning}");
                }

                WriteObject(new AnytunConnectionDefinition(definition));
            }
        }
        finally
        {
            foreach (var message in messages)
            {
                message.Dispose();
            }
        }
    }
}
