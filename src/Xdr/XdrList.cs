using System.Collections;

namespace NetRpc.Xdr;

/// <summary>
/// Linked lists of XDR (<c>struct entry { ...; entry *next; }</c>, the shape of NFS READDIR's entries and yp.x's
/// ypmaplist) as sequences: every generated node type is an <see cref="IXdrListNode{TSelf}"/>, so
/// <c>foreach (var entry in reply.Entries.Enumerate())</c> walks the list from its head, in a loop, however long it is
/// (a null head is an empty list); <see cref="Link{T}"/> builds one from a sequence. Decoding and encoding a list already
/// loop (<see cref="XdrReader.ReadList{T}"/>, <see cref="XdrWriter.WriteList{T}"/>).
/// </summary>
public static class XdrList
{
    /// <summary>The nodes of a list, from <paramref name="head"/> on; none when it is null.</summary>
    /// <typeparam name="T">The node type.</typeparam>
    /// <param name="head">The first node, or null.</param>
    /// <returns>An enumerable that walks the list, iteratively, each time it is enumerated.</returns>
    public static XdrListEnumerable<T> Enumerate<T>(this T? head) where T : class, IXdrListNode<T> => new(head);

    /// <summary>Links <paramref name="nodes"/> into a list, in order (each node's <c>Next</c> is set), and returns its head.</summary>
    /// <typeparam name="T">The node type.</typeparam>
    /// <param name="nodes">The nodes; each must appear once.</param>
    /// <returns>The first node, or null for none.</returns>
    public static T? Link<T>(IEnumerable<T> nodes) where T : class, IXdrListNode<T>
    {
        ArgumentNullException.ThrowIfNull(nodes);
        T? head = null;
        T? tail = null;
        foreach (T node in nodes)
        {
            ArgumentNullException.ThrowIfNull(node, nameof(nodes));
            if (tail is null)
            {
                head = node;
            }
            else
            {
                tail.Next = node;
            }

            tail = node;
        }

        if (tail is not null)
        {
            tail.Next = null;
        }

        return head;
    }
}

/// <summary>The nodes of an XDR linked list, from a head on (see <see cref="XdrList.Enumerate{T}"/>); a struct, so <c>foreach</c> allocates nothing.</summary>
/// <typeparam name="T">The node type.</typeparam>
public readonly struct XdrListEnumerable<T> : IEnumerable<T> where T : class, IXdrListNode<T>
{
    private readonly T? _head;

    internal XdrListEnumerable(T? head) => _head = head;

    /// <summary>Starts a walk from the head.</summary>
    /// <returns>The enumerator.</returns>
    public XdrListEnumerator<T> GetEnumerator() => new(_head);

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Walks an XDR linked list through its <c>Next</c> links. A list made cyclic by hand is found (Brent's algorithm, constant
/// extra work per node) and refused with <see cref="InvalidOperationException"/> instead of walked for ever; a decoded list
/// never is.
/// </summary>
/// <typeparam name="T">The node type.</typeparam>
public struct XdrListEnumerator<T> : IEnumerator<T> where T : class, IXdrListNode<T>
{
    private readonly T? _head;
    private T? _current;
    private T? _mark;
    private int _steps;
    private int _stride;
    private bool _started;

    internal XdrListEnumerator(T? head)
    {
        _head = head;
        _current = null;
        _mark = null;
        _steps = 0;
        _stride = 1;
        _started = false;
    }

    /// <summary>The node reached.</summary>
    public readonly T Current => _current!;

    readonly object IEnumerator.Current => Current;

    /// <summary>Moves to the next node.</summary>
    /// <returns>False at the end of the list.</returns>
    /// <exception cref="InvalidOperationException">The list is cyclic.</exception>
    public bool MoveNext()
    {
        if (!_started)
        {
            _started = true;
            _current = _head;
            return _current is not null;
        }

        if (_current is null)
        {
            return false;
        }

        _current = _current.Next;
        if (_current is not null && ReferenceEquals(_current, _mark))
        {
            throw new InvalidOperationException("The XDR linked list is cyclic: a node's Next leads back to an earlier node.");
        }

        if (++_steps == _stride)
        {
            _mark = _current;
            _steps = 0;
            _stride <<= 1;
        }

        return _current is not null;
    }

    /// <summary>Goes back to before the head.</summary>
    public void Reset() => this = new XdrListEnumerator<T>(_head);

    /// <summary>Nothing to release.</summary>
    public readonly void Dispose()
    {
    }
}
