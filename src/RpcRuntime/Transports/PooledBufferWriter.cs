using System.Buffers;
using NetRpc.Xdr;

namespace NetRpc.Runtime.Transports;

/// <summary>
/// A growable buffer from <see cref="ArrayPool{T}"/> that messages are encoded into. Unlike
/// <see cref="ArrayBufferWriter{T}"/> its written bytes stay writable, so a record-marking header can be
/// filled in once the message's length is known. Buffers over 1 MiB are not pooled: the shared pool keeps what it
/// is given, so memory a burst of huge messages took would stay taken after it; the GC frees these. Not thread-safe.
/// </summary>
/// <remarks>
/// A writer made with <c>gathering: true</c> (a transport that sends with <see cref="SocketIo.TrySendGathered"/>) also takes
/// large pooled data by reference (<see cref="IXdrGatheringWriter"/>): the bytes stay where they are, the buffer holds the
/// rest of the message around them, and <see cref="GetPieces"/> hands both out in order for one gathered send. Whatever
/// asks for the written bytes as one span (<see cref="WrittenSpan"/>: a reply kept by the duplicate request cache, one
/// sealed by RPCSEC_GSS, a queue of unsent bytes) gets them copied into the buffer first, as if they had been written.
/// The <see cref="PooledOpaqueScope"/>s that own referenced data are handed to the writer (<see cref="Hold"/>), which
/// disposes them when it is reset.
/// </remarks>
internal sealed class PooledBufferWriter : IXdrGatheringWriter, IDisposable
{
    private const int MaxPooledSize = 1 << 20;

    // A buffer that grew past this is given back when emptied, so an idle connection holds little.
    private const int MaxKeptSize = 64 * 1024;

    // References per message batch; past it, data is copied (a gathered send takes at most IOV_MAX buffers, 1024 on Linux).
    private const int MaxReferences = 16;

    private byte[] _buffer;
    private int _written;
    private readonly bool _gathering;
    private readonly List<Reference> _references = [];
    private int _referenced;
    private List<PooledOpaqueScope>? _held;

    public PooledBufferWriter(int initialCapacity = 4096, bool gathering = false)
    {
        _buffer = Rent(initialCapacity);
        _gathering = gathering;
    }

    /// <summary>The bytes written, including those taken by reference.</summary>
    public int WrittenCount => _written + _referenced;

    /// <summary>The size of the buffer held now.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Whether some written bytes lie outside the buffer, taken by reference.</summary>
    public bool HasReferences => _references.Count > 0;

    /// <summary>The bytes written, in the buffer (bytes taken by reference are copied in first).</summary>
    public Span<byte> WrittenSpan
    {
        get
        {
            Materialize();
            return _buffer.AsSpan(0, _written);
        }
    }

    /// <summary>The bytes written, in the buffer (bytes taken by reference are copied in first).</summary>
    public ReadOnlyMemory<byte> WrittenMemory
    {
        get
        {
            Materialize();
            return _buffer.AsMemory(0, _written);
        }
    }

    /// <inheritdoc/>
    public bool TryWriteByReference(ReadOnlyMemory<byte> bytes)
    {
        if (!_gathering || _references.Count == MaxReferences)
        {
            return false;
        }

        _references.Add(new Reference(_written, bytes));
        _referenced += bytes.Length;
        return true;
    }

    /// <summary>Whether bytes written at or after <paramref name="start"/> (a count of written bytes) were taken by reference.</summary>
    public bool HasReferencesFrom(int start) =>
        _references.Count > 0 && _references[^1].At + _referenced - _references[^1].Bytes.Length >= start;

    /// <summary>Keeps <paramref name="scope"/>, which owns data taken by reference, until the writer is reset or disposed.</summary>
    public void Hold(PooledOpaqueScope scope) => (_held ??= []).Add(scope);

    /// <summary>The written bytes in order, as pieces of the buffer and the data taken by reference; the number of pieces.</summary>
    /// <param name="pieces">Receives the pieces; it must hold <see cref="PieceCount"/>.</param>
    public int GetPieces(Span<ReadOnlyMemory<byte>> pieces)
    {
        int count = 0;
        int from = 0;
        foreach (Reference reference in _references)
        {
            if (reference.At > from)
            {
                pieces[count++] = _buffer.AsMemory(from, reference.At - from);
            }

            pieces[count++] = reference.Bytes;
            from = reference.At;
        }

        if (_written > from)
        {
            pieces[count++] = _buffer.AsMemory(from, _written - from);
        }

        return count;
    }

    /// <summary>The most pieces <see cref="GetPieces"/> may give.</summary>
    public int PieceCount => (2 * _references.Count) + 1;

    /// <summary>
    /// <paramref name="length"/> written bytes from <paramref name="start"/> (a count of written bytes), writable: a
    /// record-marking header filled in once the record's length is known. Copies referenced data in only when the range
    /// covers some.
    /// </summary>
    public Span<byte> Written(int start, int length)
    {
        int before = ReferencedBefore(start, length, out _);
        if (before < 0)
        {
            Materialize();
            before = 0;
        }

        return _buffer.AsSpan(start - before, length);
    }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _written))
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>
    /// Forgets what was written, and disposes the scopes it held; a buffer that grew large is given back so that one huge
    /// message does not pin memory.
    /// </summary>
    public void Reset()
    {
        _written = 0;
        Release();
        if (_buffer.Length > MaxKeptSize)
        {
            Return(_buffer);
            _buffer = Rent(4096);
        }
    }

    /// <summary>Drops the first <paramref name="count"/> bytes written, moving the rest to the front.</summary>
    public void RemovePrefix(int count)
    {
        Materialize();
        count = Math.Min(count, _written);
        _buffer.AsSpan(count, _written - count).CopyTo(_buffer);
        _written -= count;
    }

    /// <summary>Drops everything written from <paramref name="length"/> on (undoes a message that failed to encode).</summary>
    public void Truncate(int length)
    {
        int before = ReferencedBefore(length, 0, out int kept);
        if (before < 0)
        {
            // It ends inside referenced data (no encoder does this): copy it in, then cut.
            Materialize();
            _written = Math.Min(_written, length);
            return;
        }

        _references.RemoveRange(kept, _references.Count - kept);
        _referenced = before;
        _written = Math.Min(_written, length - before);
    }

    public void Dispose()
    {
        Release();
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            Return(buffer);
        }
    }

    /// <summary>
    /// How many bytes taken by reference lie ahead of the written range [<paramref name="start"/>, +<paramref name="length"/>),
    /// and in how many references (<paramref name="count"/>); -1 when the range covers some.
    /// </summary>
    private int ReferencedBefore(int start, int length, out int count)
    {
        int before = 0;
        count = 0;
        foreach (Reference reference in _references)
        {
            int logical = reference.At + before; // where the reference's bytes begin among all written
            if (start + length <= logical)
            {
                break;
            }

            if (start < logical + reference.Bytes.Length)
            {
                return -1;
            }

            before += reference.Bytes.Length;
            count++;
        }

        return before;
    }

    /// <summary>Forgets the data taken by reference, and disposes the scopes that own it.</summary>
    private void Release()
    {
        _references.Clear();
        _referenced = 0;
        if (_held is { Count: > 0 } held)
        {
            foreach (PooledOpaqueScope scope in held)
            {
                scope.Dispose();
            }

            held.Clear();
        }
    }

    /// <summary>Copies the data taken by reference into the buffer, where it would have been written.</summary>
    private void Materialize()
    {
        if (_references.Count == 0)
        {
            return;
        }

        int total = _written + _referenced;
        byte[] target = _buffer.Length >= total ? _buffer : Rent(total);

        // From the last piece back, so that moving the buffer's bytes up never overwrites what is still to move.
        int end = _written;
        int shift = _referenced;
        for (int i = _references.Count - 1; i >= 0; i--)
        {
            Reference reference = _references[i];
            _buffer.AsSpan(reference.At, end - reference.At).CopyTo(target.AsSpan(reference.At + shift));
            shift -= reference.Bytes.Length;
            reference.Bytes.Span.CopyTo(target.AsSpan(reference.At + shift));
            end = reference.At;
        }

        if (!ReferenceEquals(target, _buffer))
        {
            _buffer.AsSpan(0, end).CopyTo(target);
            Return(_buffer);
            _buffer = target;
        }

        _written = total;
        _references.Clear();
        _referenced = 0;
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        // Doubling while pooled; past that, a quarter more at a time: a queue of replies a peer is slow to take
        // stays close to its bound instead of taking twice it.
        long grown = _buffer.Length < MaxPooledSize ? (long)_buffer.Length * 2 : _buffer.Length + ((long)_buffer.Length / 4);
        long size = Math.Max(grown, (long)_written + needed);
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException("An RPC message larger than the largest array cannot be encoded.");
        }

        byte[] larger = Rent((int)size);
        _buffer.AsSpan(0, _written).CopyTo(larger);
        Return(_buffer);
        _buffer = larger;
    }

    private static byte[] Rent(int size) => size <= MaxPooledSize ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void Return(byte[] buffer)
    {
        if (buffer.Length <= MaxPooledSize)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Bytes written by reference: they come after the first <see cref="At"/> bytes of the buffer.</summary>
    private readonly record struct Reference(int At, ReadOnlyMemory<byte> Bytes);
}
