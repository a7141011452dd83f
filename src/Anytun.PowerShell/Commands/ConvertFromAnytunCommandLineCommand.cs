using System.Management.Automation;
using Anytun.Engine;
using Anytun.Engine.Configuration;

namespace Anytun;

/// <summary>
/// ConvertFrom-AnytunCommandLine: turns an anytun command line into the same definition New-AnytunTunnel makes,
/// so existing anytun setups move over unchanged. Options the module does not implement yet are refused, never ignored.
/// </summary>
[Cmdlet(VerbsData.ConvertFrom, "AnytunCommandLine", DefaultParameterSetName = ByCommandLine)]
[OutputType(typeof(AnytunTunnelDefinition))]
public sealed class ConvertFromAnytunCommandLineCommand : AnytunCmdlet
{
    private const string ByCommandLine = "ByCommandLine";
    private const string ByArgumentList = "ByArgumentList";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ByCommandLine)]
    [ValidateNotNullOrEmpty]
    public string CommandLine { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = ByArgumentList)]
    [ValidateNotNull]
    [AllowEmptyCollection]
    public string[] ArgumentList { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        TunnelOptions? options = null;
        try
        {
            IReadOnlyList<string> arguments = ParameterSetName == ByCommandLine
                ? AnytunCommandLine.Tokenize(CommandLine)
                : ArgumentList;
            options = AnytunCommandLine.Parse(arguments);
            var warnings = options.Validate();
            options.EnsureSupported();
            foreach (var warning in warnings)
            {
                WriteWarning(warning);
            }

            WriteObject(new AnytunTunnelDefinition(options, Name, null, warnings, fromParameters: false));
        }
        catch (AnytunException ex)
        {
            options?.Dispose();
            ThrowTerminatingError(AnytunErrors.FromException(ex));
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            // Never let a raw exception escape to the user; the parser should only throw AnytunException.
            options?.Dispose();
            ThrowTerminatingError(AnytunErrors.FromAny(ex, CommandLine));
        }
    }
}
