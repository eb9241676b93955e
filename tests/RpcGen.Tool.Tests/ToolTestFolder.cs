namespace NetRpc.RpcGen.Tool.Tests;

/// <summary>A temporary folder for a test class's .x files, deleted with it, and rpcgen run in the process.</summary>
public abstract class ToolTestFolder : IDisposable
{
    protected string Folder { get; } = Directory.CreateTempSubdirectory("netrpc-rpcgen-").FullName;

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the folder; its path.</summary>
    protected string Write(string name, string text)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>rpcgen with <paramref name="args"/>, as its command line runs it: exit status and what it printed.</summary>
    protected static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int exit = Program.Run(args, stdout, stderr, new FileSystemSources());
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
