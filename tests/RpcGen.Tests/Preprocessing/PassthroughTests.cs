using NetRpc.RpcGen.Diagnostics;
using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tests.Preprocessing;

public class PassthroughTests
{
    [Fact]
    public void Percent_line_is_blanked_and_recorded_with_its_text_location_and_targets()
    {
        Outcome outcome = Preprocess.Text("const A = 1;\n%#include <rpc/xdr.h>\n%\nconst B = 2;").Clean();

        Assert.Equal(["const A = 1;", "", "", "const B = 2;"], outcome.Lines);
        Assert.Equal(RpcgenTarget.None, outcome.Source.TargetsOf(2));
        Assert.Equal(
            [
                new PassthroughLine("#include <rpc/xdr.h>", new SourceLocation(Preprocess.MainPath, 2, 1), RpcgenTarget.All),
                new PassthroughLine(string.Empty, new SourceLocation(Preprocess.MainPath, 3, 1), RpcgenTarget.All),
            ],
            outcome.Source.Passthroughs);
    }

    [Fact]
    public void A_backslash_continues_a_percent_line_onto_the_next_physical_lines()
    {
        // nis.x's shape: a multi-line #define, continued by backslashes on lines without a %.
        Outcome outcome = Preprocess.Text("%#define SUM ((A +\\\n\t\t B +\\\n\t\t C) << 16)\nconst X = 1;\n%next").Clean();

        Assert.Equal(["", "", "", "const X = 1;", ""], outcome.Lines);
        Assert.Equal(["#define SUM ((A +\t\t B +\t\t C) << 16)", "next"], outcome.Source.Passthroughs.Select(p => p.Text));
        Assert.Equal(1, outcome.Source.Passthroughs[0].Location.Line);
    }

    [Fact]
    public void An_indented_percent_is_not_a_passthrough_and_stays_for_the_lexer()
    {
        Outcome outcome = Preprocess.Text(" %int x;").Clean();

        Assert.Empty(outcome.Source.Passthroughs);
        Assert.Equal(" %int x;", outcome.Lines[0]);
    }

    [Fact]
    public void A_percent_line_inside_a_comment_is_comment_text()
    {
        Outcome outcome = Preprocess.Text("/* a comment\n%not copied\n*/\n%copied").Clean();

        Assert.Equal("copied", Assert.Single(outcome.Source.Passthroughs).Text);
        Assert.Equal("%not copied", outcome.Lines[1]);
        Assert.Equal(RpcgenTarget.All, outcome.Source.TargetsOf(2));
    }

    [Fact]
    public void A_comment_opened_on_a_percent_line_does_not_hide_the_percent_lines_after_it()
    {
        // nis.x starts like this: rpcgen copies % lines without reading them, so all four are copied.
        Outcome outcome = Preprocess.Text("%/*\n% *\tnis.h\n% */\n%#include <rpcsvc/nis_tags.h>\nconst A = 1;").Clean();

        Assert.Equal(["/*", " *\tnis.h", " */", "#include <rpcsvc/nis_tags.h>"], outcome.Source.Passthroughs.Select(p => p.Text));
        Assert.Equal(["", "", "", "", "const A = 1;"], outcome.Lines);
    }

    [Fact]
    public void A_comment_opened_on_a_percent_line_hides_directives_from_cpp()
    {
        Outcome outcome = Preprocess.Text("%int a; /* open\n#define HIDDEN 1\n% still */\n#define SEEN 1").Clean();

        Assert.Equal("SEEN", Assert.Single(outcome.Source.MacroEvents).Name);
        Assert.Equal("#define HIDDEN 1", outcome.Lines[1]);
        Assert.Equal(2, outcome.Source.Passthroughs.Count);
    }

    [Fact]
    public void A_percent_line_in_a_region_no_target_sees_is_not_recorded()
    {
        Outcome outcome = Preprocess.Text("#if 0\n%hidden\n#endif\n%shown").Clean();

        Assert.Equal("shown", Assert.Single(outcome.Source.Passthroughs).Text);
        Assert.Equal("", outcome.Lines[1]);
    }

    [Fact]
    public void A_percent_line_keeps_its_text_exactly()
    {
        Outcome outcome = Preprocess.Text("%#define\tRPCBVERS_3\t\tRPCBVERS   \n%/* #pragma ident \"x\" */").Clean();

        Assert.Equal(["#define\tRPCBVERS_3\t\tRPCBVERS   ", "/* #pragma ident \"x\" */"], outcome.Source.Passthroughs.Select(p => p.Text));
    }

    [Fact]
    public void A_line_continued_from_a_percent_line_is_not_a_directive()
    {
        Outcome outcome = Preprocess.Text("%#define LONG \\\n#define NOT_A_DIRECTIVE").Clean();

        // cpp splices the two physical lines into one %-line, so the second is passthrough text too.
        Assert.Empty(outcome.Source.MacroEvents);
        Assert.Equal("", outcome.Lines[1]);
        Assert.Equal("#define LONG #define NOT_A_DIRECTIVE", Assert.Single(outcome.Source.Passthroughs).Text);
    }
}
