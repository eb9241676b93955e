namespace NetRpc.RpcGen.Naming;

/// <summary>How .x names become C# names.</summary>
public enum NameStyle
{
    /// <summary>
    /// PascalCase (the default). A name splits into words at underscores; within a part, before a letter that
    /// follows a digit, before a capital that follows a lower-case letter, and before a lower-case letter that
    /// follows two capitals or more. Each word is then written with its first letter a capital and the rest
    /// lower case, digits kept: <c>NLM4_TESTargs</c> → <c>Nlm4TestArgs</c>, <c>MOUNT3MNTargs</c> →
    /// <c>Mount3MntArgs</c>, <c>NFS3ERR_PERM</c> → <c>Nfs3ErrPerm</c>, <c>nfs_fh4</c> → <c>NfsFh4</c>,
    /// <c>utf8string</c> → <c>Utf8String</c>, <c>getattr3args</c> → <c>Getattr3Args</c>, <c>camelCase</c> →
    /// <c>CamelCase</c>. A name that would start with a digit gets a leading <c>_</c>. docs/rpcgen.md has the table.
    /// </summary>
    Pascal,

    /// <summary>The names as written in the .x file; C# keywords get an <c>@</c>.</summary>
    Keep,
}
