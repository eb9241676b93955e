using System.Buffers;

namespace NetRpc.Xdr;

/// <summary>
/// A buffer writer that can take large bytes by reference instead of by copy, and send them from where they lie with
/// one gathered write (<c>sendmsg</c> with several buffers): what a server transport's reply buffer does, so that NFS
/// READ-sized data in a <see cref="PooledOpaque"/> reaches the socket without a copy in user space.
/// </summary>
/// <remarks>
/// <see cref="XdrWriter"/> offers it the bytes of a <see cref="PooledOpaque"/> of at least
/// <see cref="XdrWriter.MinimumGatheredLength"/> bytes that owns pooled memory, and only when the writer has a
/// <see cref="PooledOpaqueScope"/>: the scope's owner disposes the value, and must keep the scope until this buffer
/// writer has sent or copied the bytes. Wrapped values (<see cref="PooledOpaque.Wrap"/>) and byte arrays are always copied,
/// since their owners may change them once they are written.
/// </remarks>
public interface IXdrGatheringWriter : IBufferWriter<byte>
{
    /// <summary>Takes <paramref name="bytes"/> as the next bytes written, without copying them.</summary>
    /// <param name="bytes">The bytes, which must stay unchanged until they are sent or copied.</param>
    /// <returns>False when the writer does not take them now; the caller then writes them as usual.</returns>
    bool TryWriteByReference(ReadOnlyMemory<byte> bytes);
}
