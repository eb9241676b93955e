using System.Buffers.Binary;
using System.Net;

namespace NetRpc.Interop.Tests.Support;

/// <summary>
/// Writes a capture file (pcap, raw IPv4 frames) of recorded RPC traffic, for tshark: UDP datagrams as they were, and
/// TCP streams as segments of at most 16 KiB with consecutive sequence numbers, a call's bytes before its reply's.
/// Checksums are left zero (tshark does not check them by default).
/// </summary>
internal sealed class PcapWriter
{
    private const int MaxSegment = 16 * 1024;
    private readonly MemoryStream _file = new();
    private uint _seconds = 1_765_000_000;

    public PcapWriter()
    {
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 262_144);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 101); // LINKTYPE_RAW: IPv4 packets
        _file.Write(header);
    }

    /// <summary>A UDP datagram from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public void Udp(IPEndPoint from, IPEndPoint to, ReadOnlySpan<byte> payload)
    {
        byte[] udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)from.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), (ushort)to.Port);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp.AsSpan(8));
        Packet(from.Address, to.Address, 17, udp);
    }

    /// <summary>A TCP connection's exchanges, in order: each pair's first part from the client, the second from the server.</summary>
    public void Tcp(IPEndPoint client, IPEndPoint server, IEnumerable<(byte[] ToServer, byte[] ToClient)> exchanges)
    {
        uint clientSequence = 1000, serverSequence = 5000;
        foreach ((byte[] toServer, byte[] toClient) in exchanges)
        {
            Segments(client, server, toServer, ref clientSequence, serverSequence);
            Segments(server, client, toClient, ref serverSequence, clientSequence);
        }
    }

    public byte[] ToArray() => _file.ToArray();

    private void Segments(IPEndPoint from, IPEndPoint to, byte[] bytes, ref uint sequence, uint acknowledged)
    {
        for (int at = 0; at < bytes.Length; at += MaxSegment)
        {
            int length = Math.Min(MaxSegment, bytes.Length - at);
            byte[] tcp = new byte[20 + length];
            BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)from.Port);
            BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), (ushort)to.Port);
            BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), sequence);
            BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(8), acknowledged);
            tcp[12] = 5 << 4; // 20-byte header
            tcp[13] = 0x18; // PSH, ACK
            BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 65535);
            bytes.AsSpan(at, length).CopyTo(tcp.AsSpan(20));
            Packet(from.Address, to.Address, 6, tcp);
            sequence += (uint)length;
        }
    }

    private void Packet(IPAddress from, IPAddress to, byte protocol, byte[] payload)
    {
        byte[] ip = new byte[20 + payload.Length];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        ip[8] = 64;
        ip[9] = protocol;
        from.GetAddressBytes().CopyTo(ip, 12);
        to.GetAddressBytes().CopyTo(ip, 16);
        payload.CopyTo(ip, 20);
        Span<byte> record = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(record, _seconds++);
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)ip.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)ip.Length);
        _file.Write(record);
        _file.Write(ip);
    }
}
