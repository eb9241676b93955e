using NetRpc.RpcGen.Compatibility;
using NetRpc.RpcGen.Preprocessing;
using NetRpc.RpcGen.Tests.Support;

namespace NetRpc.RpcGen.Tests.Compatibility;

/// <summary>
/// What only changes the text finds nothing: the comparison is of the checked model, where the preprocessor, constants
/// and typedefs are resolved.
/// </summary>
public class TextualChangeTests
{
    private const string Original = """
        /* file.x: a small file service */
        #define MAXNAME 255
        const MAXDATA = 8192;
        typedef unsigned int uint32;
        typedef uint32 count3;
        typedef string filename<MAXNAME>;
        typedef opaque data<MAXDATA>;

        enum stat {
            OK = 0,
            ERR_NOENT = 2,
            ERR_IO = 5
        };

        struct entry {
            count3 id;
            filename name;
            struct entry *next;
        };

        struct readargs {
            filename file;
            uint32 offset;
            count3 count;
        };

        struct readok {
            data payload;
            bool eof;
        };

        union readres switch (stat status) {
        case OK:
            readok ok;
        default:
            void;
        };

        program FILEPROG {
            version FILEVERS {
                void FILEPROC_NULL(void) = 0;
                readres FILEPROC_READ(readargs) = 1;
                entry FILEPROC_LIST(filename) = 2;
            } = 1;
        } = 0x20000100;
        """;

    /// <summary>
    /// The same protocol rewritten: other layout and comments, definitions in another order, the macro renamed, the
    /// typedef chain turned around (count3 now names unsigned int and uint32 names count3), a constant written in hex,
    /// sizes and case labels written as numbers, <c>struct entry</c> written <c>entry</c>, <c>F(void)</c> as <c>F()</c>.
    /// </summary>
    private const string Rewritten = """
        // file.x, tidied
        #define NAME_MAX 255

        const MAXDATA = 0x2000;   /* the same 8192 */

        typedef unsigned int count3;
        typedef count3 uint32;

        enum stat { OK = 0, ERR_NOENT = 2, ERR_IO = 5 };

        typedef string filename<NAME_MAX>;
        typedef opaque data<8192>;

        struct readok { data payload; bool eof; };
        union readres switch (stat status) { case 0: readok ok; default: void; };

        struct readargs
        {
            filename   file;
            uint32     offset;
            count3     count;
        };

        struct entry { count3 id; filename name; entry *next; };

        program FILEPROG { version FILEVERS {
            void    FILEPROC_NULL()               = 0;
            readres FILEPROC_READ(readargs)       = 1;
            entry   FILEPROC_LIST(filename)       = 2;
        } = 1; } = 536871168;
        """;

    [Fact]
    public void A_file_rewritten_with_the_same_wire_and_names_finds_nothing()
    {
        CompatibilityResult result = Compare.Texts(Original, Rewritten);
        Assert.True(result.Findings.Count == 0, Compare.Describe(result.Findings));
        Assert.Empty(Compare.Texts(Rewritten, Original).Findings);
    }

    [Fact]
    public void A_file_against_itself_finds_nothing() => Assert.Empty(Compare.Texts(Original, Original).Findings);

    [Fact]
    public void Macros_from_the_command_line_apply_to_both_files()
    {
        const string Sized = "typedef string name<MAXNAME>;\nprogram P { version V { void F(name) = 1; } = 1; } = 0x20000001;";
        var options = new CompilerOptions { Preprocessor = new PreprocessorOptions { Defines = [KeyValuePair.Create("MAXNAME", "64")] } };
        Assert.Empty(Compare.Texts(Sized, Sized.Replace("MAXNAME", "64", StringComparison.Ordinal), options).Findings);
    }

    [Fact]
    public void Every_corpus_file_against_itself_finds_nothing()
    {
        string[] files = Directory.GetFiles(Corpus.Resolve("Corpus/libnfs")!, "*.x");
        Assert.True(files.Length >= 4);
        foreach (string file in files)
        {
            CompatibilityResult result = RpcgenCompiler.CompareCompatibility(file, file, new DiskSources());
            Assert.True(result.Compared);
            Assert.True(result.Findings.Count == 0, $"{file}:\n{Compare.Describe(result.Findings)}");
        }
    }

    [FilesFact("/usr/include/rpcsvc/nfs_prot.x", "Debian package rpcsvc-proto")]
    public void Every_system_file_against_itself_finds_nothing()
    {
        foreach (string file in Directory.GetFiles("/usr/include/rpcsvc", "*.x"))
        {
            CompatibilityResult result = RpcgenCompiler.CompareCompatibility(file, file, new DiskSources());
            Assert.True(!result.Compared || result.Findings.Count == 0, $"{file}:\n{Compare.Describe(result.Findings)}");
        }
    }
}
