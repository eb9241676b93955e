namespace NetRpc.RpcGen.Naming;

/// <summary>How .x names become C# names.</summary>
public enum NameStyle
{
    /// <summary>
    /// PascalCase (the default): split at underscores, capitalise each part, and lower the rest of a part
    /// written all in capitals: <c>nfs_fh3</c> → <c>NfsFh3</c>, <c>NFS3ERR_PERM</c> → <c>Nfs3errPerm</c>,
    /// <c>getattr3args</c> → <c>Getattr3args</c>, <c>camelCase</c> → <c>CamelCase</c>.
    /// </summary>
    Pascal,

    /// <summary>The names as written in the .x file; C# keywords get an <c>@</c>.</summary>
    Keep,
}
