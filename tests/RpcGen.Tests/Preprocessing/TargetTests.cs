using NetRpc.RpcGen.Preprocessing;

namespace NetRpc.RpcGen.Tests.Preprocessing;

/// <summary>rpcgen runs cpp once per output with one of RPC_HDR ... RPC_CLIENT defined; each line must carry exactly the outputs that keep it.</summary>
public class TargetTests
{
    private const RpcgenTarget Header = RpcgenTarget.Header;
    private const RpcgenTarget Xdr = RpcgenTarget.Xdr;
    private const RpcgenTarget None = RpcgenTarget.None;
    private const RpcgenTarget All = RpcgenTarget.All;

    [Theory]
    [InlineData("RPC_HDR", RpcgenTarget.Header)]
    [InlineData("RPC_XDR", RpcgenTarget.Xdr)]
    [InlineData("RPC_CLNT", RpcgenTarget.Client)]
    [InlineData("RPC_SVC", RpcgenTarget.Server)]
    [InlineData("RPC_TBL", RpcgenTarget.Table)]
    [InlineData("RPC_SERVER", RpcgenTarget.SampleServer)]
    [InlineData("RPC_CLIENT", RpcgenTarget.SampleClient)]
    public void Each_target_symbol_is_defined_for_its_own_target_only(string symbol, RpcgenTarget target)
    {
        Outcome outcome = Preprocess.Text($"#ifdef {symbol}\nline\n#endif").Clean();

        Assert.Equal(target, outcome.Source.TargetsOf(2));
    }

    [Fact]
    public void Ifdef_rpc_hdr_keeps_lines_only_for_the_header_target()
    {
        Outcome outcome = Preprocess.Text("before\n#ifdef RPC_HDR\nheader only\n#endif\nafter").Clean();

        Assert.Equal([All, None, Header, None, All], outcome.Targets);
        Assert.Equal("header only", outcome.Lines[2]);
    }

    [Fact]
    public void Ifndef_rpc_hdr_keeps_lines_for_every_target_but_the_header()
    {
        Outcome outcome = Preprocess.Text("#ifndef RPC_HDR\nnot in the header\n#endif").Clean();

        Assert.Equal(Preprocess.AllButHeader, outcome.Source.TargetsOf(2));
    }

    [Fact]
    public void If_rpc_hdr_uses_the_symbols_value_of_1()
    {
        Outcome outcome = Preprocess.Text("#if RPC_HDR\na\n#endif\n#if RPC_HDR == 1 && !RPC_XDR\nb\n#endif").Clean();

        Assert.Equal(Header, outcome.Source.TargetsOf(outcome.LineOf("a")));
        Assert.Equal(Header, outcome.Source.TargetsOf(outcome.LineOf("b")));
    }

    [Fact]
    public void Else_branch_gets_the_targets_the_first_branch_did_not()
    {
        Outcome outcome = Preprocess.Text("#ifdef RPC_HDR\nh\n#else\nrest\n#endif").Clean();

        Assert.Equal([None, Header, None, Preprocess.AllButHeader, None], outcome.Targets);
    }

    [Fact]
    public void Elif_takes_the_targets_no_earlier_branch_took()
    {
        const string input = "#ifdef RPC_HDR\nh\n#elif defined(RPC_XDR) || defined RPC_HDR\nx\n#elif 1\nothers\n#else\nnever\n#endif";
        Outcome outcome = Preprocess.Text(input).Clean();

        Assert.Equal(Header, outcome.Source.TargetsOf(outcome.LineOf("h")));
        Assert.Equal(Xdr, outcome.Source.TargetsOf(outcome.LineOf("x")));
        Assert.Equal(All & ~(Header | Xdr), outcome.Source.TargetsOf(outcome.LineOf("others")));
        Assert.Equal(None, outcome.Source.TargetsOf(8));
        Assert.Equal("", outcome.Lines[7]);
    }

    [Fact]
    public void Nested_target_conditionals_intersect()
    {
        const string input = "#ifndef RPC_HDR\n#if defined(RPC_XDR) || defined(RPC_SVC)\nboth\n#else\nneither\n#endif\n#endif";
        Outcome outcome = Preprocess.Text(input).Clean();

        Assert.Equal(Xdr | RpcgenTarget.Server, outcome.Source.TargetsOf(outcome.LineOf("both")));
        Assert.Equal(All & ~(Header | Xdr | RpcgenTarget.Server), outcome.Source.TargetsOf(outcome.LineOf("neither")));
    }

    [Fact]
    public void A_define_inside_a_target_conditional_is_a_macro_for_that_target_only()
    {
        const string input = "#ifdef RPC_HDR\n#define IN_HEADER 2\n#endif\n#ifdef IN_HEADER\na\n#endif\n#if IN_HEADER == 2\nb\n#endif\n#ifndef IN_HEADER\nc\n#endif";
        Outcome outcome = Preprocess.Text(input).Clean();

        MacroEvent defined = Assert.Single(outcome.Source.MacroEvents);
        Assert.Equal(new MacroEvent(2, "IN_HEADER", "2", Header, defined.Location), defined);
        Assert.Equal(Header, outcome.Source.TargetsOf(outcome.LineOf("a")));
        Assert.Equal(Header, outcome.Source.TargetsOf(outcome.LineOf("b")));
        Assert.Equal(Preprocess.AllButHeader, outcome.Source.TargetsOf(outcome.LineOf("c")));
    }

    [Fact]
    public void A_macro_can_have_a_different_value_for_each_target()
    {
        const string input = "#ifdef RPC_HDR\n#define N 2\n#else\n#define N 3\n#endif\n#if N == 2\ntwo\n#elif N == 3\nthree\n#endif";
        Outcome outcome = Preprocess.Text(input).Clean();

        Assert.Equal(Header, outcome.Source.TargetsOf(outcome.LineOf("two")));
        Assert.Equal(Preprocess.AllButHeader, outcome.Source.TargetsOf(outcome.LineOf("three")));
        Assert.Equal([Header, Preprocess.AllButHeader], outcome.Source.MacroEvents.Select(e => e.Targets));
    }

    [Fact]
    public void Undef_of_a_target_symbol_removes_it_for_that_target()
    {
        Outcome outcome = Preprocess.Text("#undef RPC_HDR\n#ifdef RPC_HDR\na\n#endif\n#ifdef RPC_XDR\nb\n#endif").Clean();

        Assert.Equal(None, outcome.Source.TargetsOf(3));
        Assert.Equal(Xdr, outcome.Source.TargetsOf(outcome.LineOf("b")));
    }

    [Fact]
    public void A_command_line_define_of_a_target_symbol_applies_to_every_target()
    {
        Outcome outcome = Preprocess.Run("#ifdef RPC_HDR\na\n#endif", Preprocess.Defines(("RPC_HDR", "1"))).Clean();

        Assert.Equal(All, outcome.Source.TargetsOf(2));
    }

    [Fact]
    public void A_region_no_target_sees_makes_its_nested_conditionals_inactive_for_all()
    {
        Outcome outcome = Preprocess.Text("#if 0\n#ifdef RPC_HDR\na\n#else\nb\n#endif\n#endif").Clean();

        Assert.All(outcome.Targets, t => Assert.Equal(None, t));
    }

    [Fact]
    public void An_elif_is_not_evaluated_for_targets_that_took_an_earlier_branch()
    {
        Outcome outcome = Preprocess.Text("#if 1\na\n#elif 1/0\nb\n#endif").Clean();

        Assert.Equal(None, outcome.Source.TargetsOf(4));
    }

    [Fact]
    public void Passthrough_lines_carry_the_targets_of_their_region()
    {
        Outcome outcome = Preprocess.Text("#ifdef RPC_HDR\n%h\n#elif defined RPC_SVC\n%s\n#else\n%rest\n#endif").Clean();

        Assert.Equal(
            [("h", Header), ("s", RpcgenTarget.Server), ("rest", All & ~(Header | RpcgenTarget.Server))],
            outcome.Source.Passthroughs.Select(p => (p.Text, p.Targets)));
    }
}
