using NetRpc.RpcGen.Naming;

namespace NetRpc.RpcGen.Tests.Naming;

/// <summary>The PascalCase rule on the shapes real .x names take.</summary>
public class CSharpNamesTests
{
    [Theory]
    // A lower-case suffix glued to capitals starts a word where the capitals end (rpcgen's NLM, MOUNT and NFS files).
    [InlineData("NLM4_TESTargs", "Nlm4TestArgs")]
    [InlineData("NLM4_TESTres", "Nlm4TestRes")]
    [InlineData("NLM4_LOCKres", "Nlm4LockRes")]
    [InlineData("NLM4_UNLOCKargs", "Nlm4UnlockArgs")]
    [InlineData("NLM4_GRANTEDargs", "Nlm4GrantedArgs")]
    [InlineData("NLM4_CANCres", "Nlm4CancRes")]
    [InlineData("MOUNT3MNTargs", "Mount3MntArgs")]
    [InlineData("MOUNT1UMNTargs", "Mount1UmntArgs")]
    [InlineData("READ3args", "Read3Args")]
    [InlineData("GETATTR3resok", "Getattr3Resok")]
    [InlineData("OPEN_CONFIRM4args", "OpenConfirm4Args")]
    // Digits stay with the word before them; a letter after digits starts a word.
    [InlineData("nfs_fh4", "NfsFh4")]
    [InlineData("utf8string", "Utf8String")]
    [InlineData("verifier4", "Verifier4")]
    [InlineData("getattr3args", "Getattr3Args")]
    [InlineData("mountres3", "Mountres3")]
    [InlineData("mountres3_ok", "Mountres3Ok")]
    [InlineData("NFSPROC3_READ", "Nfsproc3Read")]
    [InlineData("NFS3ERR_PERM", "Nfs3ErrPerm")]
    // Capitals alone and lower case alone are one word; camel case splits before its capitals.
    [InlineData("RPCBPROC_GETADDR", "RpcbprocGetaddr")]
    [InlineData("ypresp_key_val", "YprespKeyVal")]
    [InlineData("camelCase", "CamelCase")]
    [InlineData("PascalCase", "PascalCase")]
    [InlineData("IPv6", "IpV6")]
    [InlineData("x", "X")]
    // Camel case's acronym convention loses to rpcgen's (see CSharpNames.StartsWord).
    [InlineData("XMLParser", "XmlpArser")]
    // Underscores only separate; a leading digit is kept off the front.
    [InlineData("__a__b__", "AB")]
    [InlineData("_3d", "_3D")]
    [InlineData("__", "__")]
    public void Names_become_pascal_case(string xdr, string csharp) => Assert.Equal(csharp, CSharpNames.ToPascalCase(xdr));

    [Theory]
    [InlineData("class", NameStyle.Keep, "@class")]
    [InlineData("class", NameStyle.Pascal, "Class")]
    [InlineData("NLM4_TESTargs", NameStyle.Keep, "NLM4_TESTargs")]
    public void Keywords_are_escaped_and_keep_keeps_the_name(string xdr, NameStyle style, string csharp) =>
        Assert.Equal(csharp, CSharpNames.Of(xdr, style));
}
