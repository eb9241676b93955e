using NetRpc.Fuzz.Corpus;
using NetRpc.Fuzz.Nfs4;
using NetRpc.Xdr;

namespace NetRpc.Fuzz.Targets;

/// <summary>
/// The decoders rpcgen generates for libnfs's nfs4.x: COMPOUND and CB_COMPOUND arguments and results, which reach
/// every operation's types. An input is a 4-byte word choosing the type, then the XDR; the value must fill the
/// input. Generated decoders document <see cref="XdrException"/> and nothing else.
/// </summary>
internal sealed class Nfs4XdrTarget : DecoderTarget
{
    private delegate void Decoder(ReadOnlySpan<byte> input);

    private static readonly Decoder[] s_decoders = [DecodeAll<Compound4Args>, DecodeAll<Compound4Res>, DecodeAll<CbCompound4Args>, DecodeAll<CbCompound4Res>];

    public override string Name => "nfs4-xdr";

    public override string Contract => "generated Decode (COMPOUND4args/res, CB_COMPOUND4args/res): XdrException";

    public override IReadOnlyList<byte[]> Seeds { get; } = BuildSeeds();

    public override long Run(byte[] input)
    {
        if (input.Length < 4)
        {
            return 0;
        }

        try
        {
            s_decoders[input[3] % s_decoders.Length](input.AsSpan(4));
        }
        catch (XdrException)
        {
        }

        return 0;
    }

    private static void DecodeAll<T>(ReadOnlySpan<byte> input) where T : IXdrCodec<T> => XdrCodec.Decode<T>(input);

    /// <summary>
    /// Compounds of four operations each, through every arm of the operation unions (the synthesizer fills each
    /// operation with valid, varied values), and a few compounds built wholly at random.
    /// </summary>
    private static byte[][] BuildSeeds()
    {
        var synthesizer = new ValueSynthesizer(new Random(3530));
        byte[] tag = "fuzz"u8.ToArray();
        var seeds = new List<byte[]>();
        foreach (NfsArgop4[] ops in Arms<NfsArgop4>(synthesizer).Chunk(4))
        {
            seeds.Add(Seed(0, new Compound4Args { Tag = tag, Argarray = ops }));
        }

        foreach (NfsResop4[] ops in Arms<NfsResop4>(synthesizer).Chunk(4))
        {
            seeds.Add(Seed(1, new Compound4Res { Status = Nfsstat4.Nfs4Ok, Tag = tag, Resarray = ops }));
        }

        foreach (NfsCbArgop4[] ops in Arms<NfsCbArgop4>(synthesizer).Chunk(4))
        {
            seeds.Add(Seed(2, new CbCompound4Args { Tag = tag, CallbackIdent = 1, Argarray = ops }));
        }

        foreach (NfsCbResop4[] ops in Arms<NfsCbResop4>(synthesizer).Chunk(4))
        {
            seeds.Add(Seed(3, new CbCompound4Res { Status = Nfsstat4.Nfs4Ok, Tag = tag, Resarray = ops }));
        }

        Type[] types = [typeof(Compound4Args), typeof(Compound4Res), typeof(CbCompound4Args), typeof(CbCompound4Res)];
        for (int i = 0; i < 16; i++)
        {
            Type type = types[i % types.Length];
            seeds.Add([0, 0, 0, (byte)(i % types.Length), .. ValueSynthesizer.Encode(type, synthesizer.Value(type))]);
        }

        return [.. seeds];
    }

    private static IEnumerable<T> Arms<T>(ValueSynthesizer synthesizer) =>
        Enumerable.Range(0, ValueSynthesizer.Factories(typeof(T)).Length).Select(arm => (T)synthesizer.Value(typeof(T), arm));

    private static byte[] Seed<T>(byte type, T value) where T : IXdrCodec<T> => [0, 0, 0, type, .. XdrCodec.EncodeToArray(value)];
}
