using System.Collections;
using Microsoft.Build.Framework;

namespace NetRpc.RpcGen.MSBuild.Tests;

/// <summary>
/// Stands in for MSBuild around a task: keeps what it logs. It is an <see cref="IBuildEngine8"/> for
/// <see cref="WarningsAsErrors"/>: through that interface MSBuild tells a task's logger which warnings it makes
/// errors (<c>-warnaserror</c>), and the logger logs them as errors.
/// </summary>
internal sealed class RecordingBuildEngine : IBuildEngine8
{
    /// <summary>Every warning is an error, as under <c>dotnet build -warnaserror</c>.</summary>
    public bool WarningsAsErrors { get; init; }

    public List<BuildErrorEventArgs> Errors { get; } = [];

    public List<BuildWarningEventArgs> Warnings { get; } = [];

    public List<string> Messages { get; } = [];

    public bool ContinueOnError => false;

    public int LineNumberOfTaskNode => 12;

    public int ColumnNumberOfTaskNode => 5;

    public string ProjectFileOfTaskNode => "/project/consumer.csproj";

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => throw new NotSupportedException();

    public void LogCustomEvent(CustomBuildEventArgs e) => Messages.Add(e.Message ?? string.Empty);

    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);

    public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e.Message ?? string.Empty);

    public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e);

    public bool ShouldTreatWarningAsError(string warningCode) => WarningsAsErrors;

    public bool AllowFailureWithoutError { get; set; }

    public bool IsRunningMultipleNodes => false;

    public IReadOnlyDictionary<string, string> GetGlobalProperties() => new Dictionary<string, string>();

    public void LogTelemetry(string eventName, IDictionary<string, string> properties)
    {
    }

    public void RegisterTaskObject(object key, object obj, RegisteredTaskObjectLifetime lifetime, bool allowEarlyCollection) => throw new NotSupportedException();

    public object GetRegisteredTaskObject(object key, RegisteredTaskObjectLifetime lifetime) => throw new NotSupportedException();

    public object UnregisterTaskObject(object key, RegisteredTaskObjectLifetime lifetime) => throw new NotSupportedException();

    public BuildEngineResult BuildProjectFilesInParallel(string[] projectFileNames, string[] targetNames, IDictionary[] globalProperties, IList<string>[] removeGlobalProperties, string[] toolsVersion, bool returnTargetOutputs) => throw new NotSupportedException();

    public bool BuildProjectFilesInParallel(string[] projectFileNames, string[] targetNames, IDictionary[] globalProperties, IDictionary[] targetOutputsPerProject, string[] toolsVersion, bool useResultsCache, bool unloadProjectsOnCompletion) => throw new NotSupportedException();

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs, string toolsVersion) => throw new NotSupportedException();

    public void Yield()
    {
    }

    public void Reacquire()
    {
    }
}
