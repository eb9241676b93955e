namespace NetRpc.Runtime.Server;

/// <summary>
/// A duplicate request journal (<see cref="DuplicateRequestCacheOptions.JournalPath"/>) that a server cannot use: the
/// path cannot be opened for reading and writing (a directory, no permission, a read-only file system, another
/// server holding it), or the file there is not this cache's journal, or it is damaged so that calls it recorded can
/// no longer be named. The server does not start: running those calls again could run them twice. The message
/// says what was found; removing the file starts a new journal, accepting that risk for the calls it recorded.
/// </summary>
public sealed class DuplicateRequestJournalException : IOException
{
    /// <summary>Makes the exception for a journal at <paramref name="path"/>.</summary>
    /// <param name="path">The journal's path.</param>
    /// <param name="problem">What is wrong with it, as the rest of a sentence that begins with the path.</param>
    /// <param name="inner">The failure behind it, if any.</param>
    public DuplicateRequestJournalException(string path, string problem, Exception? inner = null)
        : base($"The duplicate request journal {path} {problem.TrimEnd('.')}.", inner)
    {
        Path = path;
    }

    /// <summary>The journal's path.</summary>
    public string Path { get; }
}
