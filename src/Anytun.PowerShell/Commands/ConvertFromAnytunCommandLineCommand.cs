using System.Management.Automation;
using Anytun.Engine;
using Anytun.Engine.Configuration;

namespace Anytun;

/// <summary>
/// ConvertFrom-AnytunCommandLine: turns a command line of anytun, anytun-config or anytun-controld into the object the
/// module's cmdlets take (a tunnel definition for Start-AnytunTunnel, a connection definition for Add-AnytunConnection
/// and Export-AnytunConnectionTable, a control-server definition for Start-AnytunControlServer), so existing setups
/// move over unchanged. Options the module does not implement yet are refused, never ignored.
/// </summary>
[Cmdlet(VerbsData.ConvertFrom, "AnytunCommandLine", DefaultParameterSetName = ByCommandLine)]
[OutputType(typeof(AnytunTunnelDefinition), typeof(AnytunConnectionDefinition), typeof(AnytunControlServerDefinition))]
public sealed class ConvertFromAnytunCommandLineCommand : AnytunCmdlet
{
    private const string ByCommandLine = "ByCommandLine";
    private const string ByArgumentList = "ByArgumentList";
    private const string Anytun = "anytun";
    private const string AnytunConfig = "anytun-config";
    private const string AnytunControld = "anytun-controld";

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

    /// <summary>Whose command line it is; by default the program named by the first word, else anytun.</summary>
    [Parameter]
    [ValidateSet(Anytun, AnytunConfig, AnytunControld, IgnoreCase = true)]
    public string Program { get; set; } = Anytun;

    protected override void ProcessRecord()
    {
        IReadOnlyList<string> arguments;
        try
        {
            arguments = ParameterSetName == ByCommandLine ? AnytunCommandLine.Tokenize(CommandLine) : ArgumentList;
        }
        catch (AnytunException ex)
        {
            ThrowTerminatingError(AnytunErrors.FromException(ex));
            return;
        }

        switch (ChooseProgram(arguments))
        {
            case AnytunConfig:
                ConvertConnection(arguments);
                break;
            case AnytunControld:
                ConvertControlServer(arguments);
                break;
            default:
                ConvertTunnel(arguments);
                break;
        }
    }

    /// <summary>-Program when given; else the program the first word names (a path works too); else anytun.</summary>
    private string ChooseProgram(IReadOnlyList<string> arguments)
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Program)))
        {
            return Program.ToLowerInvariant();
        }

        var first = arguments.Count > 0 ? System.IO.Path.GetFileName(arguments[0]) : string.Empty;
        return first is AnytunConfig or AnytunControld ? first : Anytun;
    }

    private void ConvertConnection(IReadOnlyList<string> arguments)
    {
        if (Name is not null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new PSArgumentException("-Name does not apply to an anytun-config command line: connections are identified by their mux (-m)."),
                "NameNotApplicable",
                ErrorCategory.InvalidArgument,
                "-Name"));
        }

        try
        {
            var definition = AnytunConfigCommandLine.Parse(arguments);
            foreach (var warning in definition.Warnings)
            {
                WriteWarning(warning);
            }

            WriteObject(new AnytunConnectionDefinition(definition));
        }
        catch (AnytunException ex)
        {
            ThrowTerminatingError(AnytunErrors.FromException(ex));
        }
    }

    private void ConvertControlServer(IReadOnlyList<string> arguments)
    {
        try
        {
            var options = AnytunControldCommandLine.Parse(arguments);
            var warnings = options.ProcessOptions
                .Select(static o => $"{o} is ignored: the control server runs inside the PowerShell process, with its user and root directory.")
                .ToArray();
            foreach (var warning in warnings)
            {
                WriteWarning(warning);
            }

            var text = ParameterSetName == ByCommandLine ? CommandLine : string.Join(" ", ArgumentList);
            WriteObject(new AnytunControlServerDefinition(options, Name, text, warnings));
        }
        catch (AnytunException ex)
        {
            ThrowTerminatingError(AnytunErrors.FromException(ex));
        }
    }

    private void ConvertTunnel(IReadOnlyList<string> arguments)
    {
        TunnelOptions? options = null;
        try
        {
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
