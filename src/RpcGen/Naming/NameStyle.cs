namespace NetRpc.RpcGen.Naming;

/// <summary>How .x names become C# names.</summary>
public enum NameStyle
{
    /// <summary>
    /// PascalCase (the default): split at underscores, capitalise each part, lower the rest of a part written
    /// all in capitals, and in other parts lower a run of capitals after its first letter (but not a capital
    /// that starts a lower-case word): <c>nfs_fh3</c> → <c>NfsFh3</c>, <c>NFS3ERR_PERM</c> →
    /// <c>Nfs3errPerm</c>, <c>getattr3args</c> → <c>Getattr3args</c>, <c>camelCase</c> → <c>CamelCase</c>,
    /// <c>OPEN_CONFIRM4args</c> → <c>OpenConfirm4args</c>, <c>XMLParser</c> → <c>XmlParser</c>.
    /// </summary>
    Pascal,

    /// <summary>The names as written in the .x file; C# keywords get an <c>@</c>.</summary>
    Keep,
}
