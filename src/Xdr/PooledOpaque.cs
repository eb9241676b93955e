using System.Buffers;
using System.Runtime.InteropServices;

namespace NetRpc.Xdr;

/// <summary>
/// Variable-length opaque data in pooled memory instead of a new array: what rpcgen's <c>--pooled-opaque</c> option
/// generates for <c>opaque name&lt;&gt;</c>, for payloads such as NFS READ and WRITE data. Disposing it gives the
/// memory back to the pool; after that <see cref="Memory"/> throws.
/// </summary>
/// <remarks>
/// <para>A value comes from one of four places. <see cref="XdrReader.ReadPooledOpaque"/> lends it a slice of the
/// message it reads when that message lies in an <see cref="XdrSharedBuffer"/> (no copy), and otherwise copies it into
/// an array rented from <see cref="ArrayPool{T}.Shared"/>. <see cref="Rent"/> and <see cref="CopyOf"/> make one to fill or
/// from bytes. <see cref="Wrap"/> makes one over memory the caller keeps: disposing it does nothing, so it may be
/// written any number of times.</para>
/// <para>Who disposes it: a client's caller, for the values in a result it receives. On a server the runtime does,
/// for every value decoded from a call's arguments or written into its reply, once the reply is written; a handler
/// that keeps data beyond its call copies it (<see cref="ToArray"/>) and must not return a pooled value to two calls.
/// Disposing twice is harmless; using the memory after disposing is a bug that may see another message's bytes.</para>
/// <para>Equality, hash code and text are those of the bytes, as for <c>byte[]</c> fields of generated types.</para>
/// </remarks>
public sealed class PooledOpaque : IMemoryOwner<byte>, IEquatable<PooledOpaque>
{
    private readonly Memory<byte> _memory;
    private byte[]? _rented;
    private XdrSharedBuffer? _lent;
    private int _disposed;

    private PooledOpaque(Memory<byte> memory, byte[]? rented, XdrSharedBuffer? lent)
    {
        _memory = memory;
        _rented = rented;
        _lent = lent;
    }

    /// <summary>No bytes; disposing it does nothing.</summary>
    public static PooledOpaque Empty { get; } = new(Memory<byte>.Empty, null, null);

    /// <summary>The number of bytes.</summary>
    public int Length => _memory.Length;

    /// <summary>The bytes.</summary>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public Memory<byte> Memory
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _memory;
        }
    }

    /// <summary>The bytes, as a span.</summary>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public Span<byte> Span => Memory.Span;

    /// <summary>A value of <paramref name="length"/> bytes in an array rented from the shared pool, to be filled: its bytes are not cleared.</summary>
    /// <param name="length">The number of bytes.</param>
    /// <returns>The value; dispose it, or let the server runtime do so, to give the array back.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public static PooledOpaque Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            return Empty;
        }

        byte[] array = ArrayPool<byte>.Shared.Rent(length);
        return new PooledOpaque(array.AsMemory(0, length), array, null);
    }

    /// <summary>A copy of <paramref name="bytes"/> in an array rented from the shared pool.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The value.</returns>
    public static PooledOpaque CopyOf(ReadOnlySpan<byte> bytes)
    {
        PooledOpaque value = Rent(bytes.Length);
        bytes.CopyTo(value._memory.Span);
        return value;
    }

    /// <summary>A value over memory the caller keeps (an array it has, a file's mapped view): no copy, and disposing it does nothing.</summary>
    /// <param name="memory">The bytes.</param>
    /// <returns>The value.</returns>
    public static PooledOpaque Wrap(Memory<byte> memory) => memory.IsEmpty ? Empty : new PooledOpaque(memory, null, null);

    /// <summary>A value lent a slice of a shared buffer, which it holds a reference to until disposed.</summary>
    internal static PooledOpaque Lend(XdrSharedBuffer buffer, int offset, int length)
    {
        buffer.AddReference();
        return new PooledOpaque(buffer.Array.AsMemory(offset, length), null, buffer);
    }

    /// <summary>Whether disposing it gives memory back (it was rented or lent), so that nobody but its disposer changes its bytes.</summary>
    internal bool OwnsMemory => _rented is not null || _lent is not null;

    /// <summary>The bytes in a new array of their own, valid after this value is disposed.</summary>
    /// <returns>The array.</returns>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public byte[] ToArray() => Memory.ToArray();

    /// <summary>Gives the memory back to its pool (once; later calls do nothing).</summary>
    public void Dispose()
    {
        if (_rented is null && _lent is null)
        {
            return; // Empty and wrapped values own nothing, and stay usable.
        }

        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_rented is { } rented)
        {
            _rented = null;
            ArrayPool<byte>.Shared.Return(rented);
        }

        if (_lent is { } lent)
        {
            _lent = null;
            lent.Release();
        }
    }

    /// <summary>Whether both hold the same bytes.</summary>
    /// <param name="other">The other value.</param>
    /// <returns>True when equal.</returns>
    /// <exception cref="ObjectDisposedException">Either value has been disposed (its memory may hold another message's bytes).</exception>
    public bool Equals(PooledOpaque? other) =>
        other is not null && (ReferenceEquals(this, other) || Span.SequenceEqual(other.Span));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PooledOpaque);

    /// <summary>A hash code of the bytes, equal to <see cref="XdrValues.Hash(byte[])"/> of the same bytes.</summary>
    /// <returns>The hash code.</returns>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Span);
        return hash.ToHashCode();
    }

    /// <summary>The bytes in hexadecimal, as <see cref="XdrValues.Format(byte[])"/> shows an array.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Volatile.Read(ref _disposed) != 0 ? "(disposed)" : XdrValues.FormatBytes(_memory.Span);
}

/// <summary>
/// A pooled array that a transport receives messages into, shared by reference count with the
/// <see cref="PooledOpaque"/> values decoded from it: it goes back to <see cref="ArrayPool{T}.Shared"/> when its owner has
/// released it and every value lent a slice of it has been disposed. Its owner writes only where nothing has been lent
/// (<see cref="IsLent"/> says whether anything is).
/// </summary>
public sealed class XdrSharedBuffer
{
    private int _references = 1;

    /// <summary>Rents an array of at least <paramref name="minimumLength"/> bytes; the creator holds the first reference.</summary>
    /// <param name="minimumLength">The size wanted.</param>
    public XdrSharedBuffer(int minimumLength) => Array = ArrayPool<byte>.Shared.Rent(minimumLength);

    /// <summary>The array.</summary>
    public byte[] Array { get; }

    /// <summary>Whether values decoded from the buffer still hold slices of it.</summary>
    public bool IsLent => Volatile.Read(ref _references) > 1;

    /// <summary>Whether <paramref name="memory"/> lies in this buffer's array, and where.</summary>
    /// <param name="memory">Memory a reader is given.</param>
    /// <param name="offset">Its offset in <see cref="Array"/>.</param>
    /// <returns>True when it does.</returns>
    public bool Contains(ReadOnlyMemory<byte> memory, out int offset)
    {
        if (MemoryMarshal.TryGetArray(memory, out ArraySegment<byte> segment) && ReferenceEquals(segment.Array, Array))
        {
            offset = segment.Offset;
            return true;
        }

        offset = 0;
        return false;
    }

    /// <summary>Gives up the owner's reference: the array goes back to the pool now, or when the last lent value is disposed.</summary>
    /// <exception cref="InvalidOperationException">Released more often than referenced.</exception>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            ArrayPool<byte>.Shared.Return(Array);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("An XdrSharedBuffer was released more often than it was referenced.");
        }
    }

    internal void AddReference() => Interlocked.Increment(ref _references);
}

/// <summary>
/// The <see cref="PooledOpaque"/> values that belong to one message: those a reader decoded from it and those a writer
/// wrote into its answer, disposed together when it is done with (a server does this for each call). Not thread-safe:
/// one message's reader and writer at a time.
/// </summary>
public sealed class PooledOpaqueScope : IDisposable
{
    private List<PooledOpaque>? _values;

    /// <summary>Whether no value has been added since it was created or last disposed.</summary>
    public bool IsEmpty => _values is null || _values.Count == 0;

    /// <summary>Adds a value, to be disposed with the others.</summary>
    /// <param name="value">The value.</param>
    public void Add(PooledOpaque value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!ReferenceEquals(value, PooledOpaque.Empty))
        {
            (_values ??= []).Add(value);
        }
    }

    /// <summary>Disposes every value added, and forgets them; the scope can be used again.</summary>
    public void Dispose()
    {
        if (_values is not { Count: > 0 } values)
        {
            return;
        }

        foreach (PooledOpaque value in values)
        {
            value.Dispose();
        }

        values.Clear();
    }
}
