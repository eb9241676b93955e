using System.Globalization;

namespace NetRpc.RpcInfo.Tool;

/// <summary>
/// Program names, as rpcinfo takes them from <c>/etc/rpc</c> (glibc's getrpcbynumber and getrpcbyname): a line is
/// <c>name number alias...</c>, <c>#</c> starts a comment, and the first line with a number names it. Where the
/// file does not exist (Windows, macOS without it, slim containers) a built-in table of the programs rpcinfo users
/// meet most stands in, with the names Debian's /etc/rpc gives them.
/// </summary>
internal sealed class ServiceNames
{
    /// <summary>Where native rpcinfo reads them.</summary>
    public const string SystemFile = "/etc/rpc";

    private static readonly (string Name, uint Number, string[] Aliases)[] s_builtIn =
    [
        ("portmapper", 100000, ["portmap", "sunrpc", "rpcbind"]),
        ("rstatd", 100001, ["rstat", "rstat_svc", "rup", "perfmeter"]),
        ("rusersd", 100002, ["rusers"]),
        ("nfs", 100003, ["nfsprog"]),
        ("ypserv", 100004, ["ypprog"]),
        ("mountd", 100005, ["mount", "showmount"]),
        ("ypbind", 100007, []),
        ("walld", 100008, ["rwall", "shutdown"]),
        ("yppasswdd", 100009, ["yppasswd"]),
        ("rquotad", 100011, ["rquotaprog", "quota", "rquota"]),
        ("sprayd", 100012, ["spray"]),
        ("nlockmgr", 100021, []),
        ("status", 100024, []),
        ("nfs_acl", 100227, []),
    ];

    private readonly Dictionary<uint, string> _byNumber = [];
    private readonly Dictionary<string, uint> _byName = new(StringComparer.Ordinal);

    private ServiceNames()
    {
    }

    /// <summary>This host's names: <see cref="SystemFile"/> when it exists and can be read, else the built-in table.</summary>
    public static ServiceNames Load(string path = SystemFile)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return BuiltIn();
        }

        return Parse(lines);
    }

    /// <summary>The built-in table.</summary>
    public static ServiceNames BuiltIn()
    {
        var names = new ServiceNames();
        foreach ((string name, uint number, string[] aliases) in s_builtIn)
        {
            names.Add(name, number, aliases);
        }

        return names;
    }

    /// <summary>The names of an /etc/rpc file's lines.</summary>
    public static ServiceNames Parse(IEnumerable<string> lines)
    {
        var names = new ServiceNames();
        foreach (string line in lines)
        {
            int hash = line.IndexOf('#', StringComparison.Ordinal);
            string[] fields = (hash >= 0 ? line[..hash] : line).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint number))
            {
                names.Add(fields[0], number, fields[2..]);
            }
        }

        return names;
    }

    /// <summary>The name of a program, or null.</summary>
    public string? NameOf(uint program) => _byNumber.GetValueOrDefault(program);

    /// <summary>The program a name or alias stands for.</summary>
    public bool TryGetNumber(string name, out uint program) => _byName.TryGetValue(name, out program);

    private void Add(string name, uint number, string[] aliases)
    {
        _byNumber.TryAdd(number, name);
        _byName.TryAdd(name, number);
        foreach (string alias in aliases)
        {
            _byName.TryAdd(alias, number);
        }
    }
}
