using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Preprocessing;
using Xunit.Abstractions;

namespace NetRpc.RpcGen.Tests.Preprocessing;

/// <summary>The shapes the .x files shipped with libc, libtirpc and rpcsvc-proto use.</summary>
public class RealWorldShapeTests(ITestOutputHelper output)
{
    private const string RpcsvcDirectory = "/usr/include/rpcsvc";

    [Fact]
    public void Nis_object_header_guard_is_passed_through_for_the_header_only()
    {
        const string input = """
            %#pragma ident	"@(#)nis_object.x	1.12	97/11/19"

            #if RPC_HDR
            %
            %#ifndef __nis_object_h
            %#define __nis_object_h
            %
            #endif
            /*
             *	This file defines the format for a NIS object in RPC language.
             */
            const NIS_MAXSTRINGLEN = 255;
            #if RPC_HDR
            %
            %#endif /* if __nis_object_h */
            %
            #endif
            """;
        Outcome outcome = Preprocess.Text(input).Clean();

        Assert.Equal(
            [
                ("#pragma ident\t\"@(#)nis_object.x\t1.12\t97/11/19\"", RpcgenTarget.All),
                ("", RpcgenTarget.Header), ("#ifndef __nis_object_h", RpcgenTarget.Header), ("#define __nis_object_h", RpcgenTarget.Header), ("", RpcgenTarget.Header),
                ("", RpcgenTarget.Header), ("#endif /* if __nis_object_h */", RpcgenTarget.Header), ("", RpcgenTarget.Header),
            ],
            outcome.Source.Passthroughs.Select(p => (p.Text, p.Targets)));
        Assert.Equal("const NIS_MAXSTRINGLEN = 255;", outcome.Lines[11]);
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(12));
        Assert.Equal(" *\tThis file defines the format for a NIS object in RPC language.", outcome.Lines[9]);
    }

    [Fact]
    public void Yp_struct_with_stupid_sun_bug_keeps_the_else_branch()
    {
        const string input = """
            struct ypresp_key_val {
            	ypstat stat;
            #ifdef STUPID_SUN_BUG
            	/* This is the form as distributed by Sun.  But even the Sun NIS
            	   servers expect the values in the other order. */
            	keydat key;
            	valdat val;
            #else
            	valdat val;
            	keydat key;
            #endif
            };
            """;
        Outcome outcome = Preprocess.Text(input).Clean();

        Assert.Equal(
            ["struct ypresp_key_val {", "\typstat stat;", "", "", "", "", "", "", "\tvaldat val;", "\tkeydat key;", "", "};"],
            outcome.Lines);
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(9));

        Outcome sun = Preprocess.Run(input, Preprocess.Defines(("STUPID_SUN_BUG", null!))).Clean();
        Assert.Equal("\tkeydat key;", sun.Lines[5]);
        Assert.Equal("", sun.Lines[8]);
    }

    [Fact]
    public void Crypt_cdefs_lines_are_passed_through_for_every_target_but_the_header()
    {
        const string input = """
            #ifndef RPC_HDR
            %#include <sys/cdefs.h>
            %__FBSDID("$FreeBSD: src/include/rpcsvc/crypt.x,v 1.5 2003/05/04 02:51:42 obrien Exp $");
            #endif

            /*
             * This protocol definition exists because of the U.S. government and
             * its stupid export laws.
             */
            enum des_dir { ENCRYPT_DES, DECRYPT_DES };
            """;
        Outcome outcome = Preprocess.Text(input).Clean();

        Assert.Equal(2, outcome.Source.Passthroughs.Count);
        Assert.All(outcome.Source.Passthroughs, p => Assert.Equal(Preprocess.AllButHeader, p.Targets));
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 3, 1), outcome.Source.Passthroughs[1].Location);
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(10));
    }

    [Fact]
    public void Nis_includes_nis_object_beside_it_inside_a_header_comment_block()
    {
        const string nis = """
            #ifdef RPC_HDR
            %/*
            % *	nis.h
            % */
            %#include <rpcsvc/nis_tags.h>
            #endif

            /* This gets stuffed into the source files. */
            #if RPC_HDR
            %#include <rpc/xdr.h>
            #endif

            /* Include the RPC Language description of NIS objects */
            #include "nis_object.x"

            enum nis_error { NIS_SUCCESS = 0 };
            """;
        Outcome outcome = Preprocess.Text(nis, ("/src/nis_object.x", "const NIS_MAXSTRINGLEN = 255;\n")).Clean();

        Assert.Equal(["/*", " *\tnis.h", " */", "#include <rpcsvc/nis_tags.h>", "#include <rpc/xdr.h>"], outcome.Source.Passthroughs.Select(p => p.Text));
        Assert.All(outcome.Source.Passthroughs, p => Assert.Equal(RpcgenTarget.Header, p.Targets));
        int included = outcome.LineOf("const NIS_MAXSTRINGLEN = 255;");
        Assert.Equal(new SourceLocation("/src/nis_object.x", 1, 1), outcome.Source.Locate(included, 1));
        Assert.Equal(new SourceLocation(Preprocess.MainPath, 16, 1), outcome.Source.Locate(outcome.LineOf("enum nis_error { NIS_SUCCESS = 0 };"), 1));
    }

    [Fact]
    public void Rpcb_prot_endif_comments_and_hash_in_comments_are_harmless()
    {
        const string input = """
            #ifdef RPC_HDR
            %#ifndef _KERNEL
            #endif	/* def RPC_HDR */
            const RPCBSTAT_HIGHPROC = 13;	/* # of procs in rpcbind V4 plus one */
            #ifdef RPC_HDR
            %#define	RPCBVERS_3		RPCBVERS
            #endif /* RPC_HDR */
            """;
        Outcome outcome = Preprocess.Text(input).Clean();

        Assert.Equal(2, outcome.Source.Passthroughs.Count);
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(4));
    }

    [Fact]
    public void Every_installed_rpcsvc_file_preprocesses_without_errors()
    {
        Assert.True(Directory.Exists(RpcsvcDirectory), $"{RpcsvcDirectory} is missing: install rpcsvc-proto (CI does) to run this test");
        string[] files =
        [
            .. Directory.GetFiles(RpcsvcDirectory, "*.x").Order(StringComparer.Ordinal),
            .. new[] { "/usr/include/tirpc/rpc/rpcb_prot.x", "/usr/include/tirpc/rpcsvc/crypt.x" }.Where(File.Exists),
        ];
        Assert.NotEmpty(files);

        foreach (string file in files)
        {
            var diagnostics = new DiagnosticBag();
            PreprocessedSource source = Preprocessor.Run(file, new FileSystemSources(), PreprocessorOptions.Default, diagnostics);
            output.WriteLine($"{file}: {source.LineCount} lines, {source.Passthroughs.Count} passthrough lines, {diagnostics.All.Count} diagnostics");

            Assert.True(diagnostics.All.Count == 0, $"{file}:\n{string.Join("\n", diagnostics.All)}");
            Assert.True(source.LineCount >= File.ReadAllLines(file).Length, file);
        }
    }

    /// <summary>Reads the real file system, as the command line host does.</summary>
    private sealed class FileSystemSources : ISourceProvider
    {
        public string? ReadFile(string path) => File.Exists(path) ? File.ReadAllText(path) : null;
    }
}
