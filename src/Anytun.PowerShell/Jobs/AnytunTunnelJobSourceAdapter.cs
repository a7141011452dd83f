using System.Collections.Concurrent;
using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Job source for the module's jobs (tunnels and control servers). PowerShell registers it on Import-Module (public,
/// parameterless constructor); one instance per runspace, so each runspace sees the jobs it started, as with other
/// job types. The kind of job comes from the <see cref="JobKindParameter"/> parameter of the invocation (default: a
/// tunnel).
/// </summary>
public sealed class AnytunTunnelJobSourceAdapter : JobSourceAdapter
{
    /// <summary>Invocation parameter naming the kind of job; <see cref="ControlServerKind"/> or absent (a tunnel).</summary>
    internal const string JobKindParameter = "AnytunJobKind";

    internal const string ControlServerKind = "ControlServer";

    private readonly ConcurrentDictionary<Guid, AnytunJob> _jobs = new();

    public AnytunTunnelJobSourceAdapter()
    {
        Name = nameof(AnytunTunnelJobSourceAdapter);
    }

    public override Job2 NewJob(JobInvocationInfo specification)
    {
        ArgumentNullException.ThrowIfNull(specification);

        // JobInvocationInfo.Name is empty here; the name travels in the definition.
        var command = specification.Definition.Command;
        var name = specification.Definition.Name;
        AnytunJob job = IsControlServer(specification)
            ? new AnytunControlServerJob(this, command, name)
            : new AnytunTunnelJob(this, command, name);
        _jobs[job.InstanceId] = job;
        return job;
    }

    public override IList<Job2> GetJobs() => Select(static (_, _) => true, null);

    public override IList<Job2> GetJobsByName(string name, bool recurse)
    {
        var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
        return Select(static (job, p) => ((WildcardPattern)p!).IsMatch(job.Name), pattern);
    }

    public override IList<Job2> GetJobsByCommand(string command, bool recurse)
    {
        var pattern = WildcardPattern.Get(command, WildcardOptions.IgnoreCase);
        return Select(static (job, p) => ((WildcardPattern)p!).IsMatch(job.Command), pattern);
    }

    public override Job2? GetJobByInstanceId(Guid instanceId, bool recurse) =>
        _jobs.TryGetValue(instanceId, out var job) ? job : null;

    public override Job2? GetJobBySessionId(int id, bool recurse)
    {
        foreach (var job in _jobs.Values)
        {
            if (job.Id == id)
            {
                return job;
            }
        }

        return null;
    }

    public override IList<Job2> GetJobsByState(JobState state, bool recurse) =>
        Select(static (job, s) => job.JobStateInfo.State == (JobState)s!, state);

    public override IList<Job2> GetJobsByFilter(Dictionary<string, object> filter, bool recurse) => new List<Job2>();

    /// <summary>Forgets the job; Remove-Job disposes it afterwards, so this must not.</summary>
    public override void RemoveJob(Job2 job)
    {
        ArgumentNullException.ThrowIfNull(job);
        _jobs.TryRemove(job.InstanceId, out _);
    }

    /// <summary>A new job of this adapter named <paramref name="name"/>; the caller attaches the work to it.</summary>
    internal static TJob NewJob<TJob>(JobManager jobManager, string command, string name)
        where TJob : AnytunJob
    {
        var parameters = new Dictionary<string, object>();
        if (typeof(TJob) == typeof(AnytunControlServerJob))
        {
            parameters[JobKindParameter] = ControlServerKind;
        }

        var definition = new JobDefinition(typeof(AnytunTunnelJobSourceAdapter), command, name);
        return (TJob)jobManager.NewJob(new JobInvocationInfo(definition, parameters));
    }

    private static bool IsControlServer(JobInvocationInfo specification)
    {
        foreach (var parameters in specification.Parameters)
        {
            foreach (var parameter in parameters)
            {
                if (parameter.Name == JobKindParameter && parameter.Value as string == ControlServerKind)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private List<Job2> Select(Func<AnytunJob, object?, bool> predicate, object? argument)
    {
        var result = new List<Job2>();
        foreach (var job in _jobs.Values)
        {
            if (predicate(job, argument))
            {
                result.Add(job);
            }
        }

        result.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return result;
    }
}
