using System.Reflection;
using NetRpc.Xdr;

namespace NetRpc.Testing;

/// <summary>
/// Every generated class of a namespace, made with <c>new T()</c>, encoded, decoded and encoded again: the default state
/// of a generated type is a value the wire can carry, it comes back the same bytes and an equal value (Equals,
/// GetHashCode), and its ToString shows its fields. Found by reflection, so a type
/// added to the .x file is covered without a test naming it.
/// </summary>
internal static class DefaultValues
{
    /// <summary>The types checked and, for each that failed, why.</summary>
    public static (List<Type> Checked, List<string> Failures) RoundTripAll(Assembly assembly, string @namespace)
    {
        var checkedTypes = new List<Type>();
        var failures = new List<string>();
        MethodInfo roundTrip = typeof(DefaultValues).GetMethod(nameof(RoundTrip), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (Type type in assembly.GetTypes().Where(t => t.Namespace == @namespace && t.IsClass && !t.IsAbstract && IsCodec(t)))
        {
            if (type.GetConstructor(Type.EmptyTypes) is null)
            {
                continue; // unions: made by their factories; their default comes with the struct that holds one
            }

            checkedTypes.Add(type);
            try
            {
                roundTrip.MakeGenericMethod(type).Invoke(null, null);
            }
            catch (TargetInvocationException e)
            {
                failures.Add($"{type.FullName}: {e.InnerException!.GetType().Name}: {e.InnerException.Message}");
            }
        }

        return (checkedTypes, failures);
    }

    private static bool IsCodec(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IXdrCodec<>) && i.GetGenericArguments()[0] == type);

    private static void RoundTrip<T>()
        where T : IXdrCodec<T>, new()
    {
        var made = new T();
        byte[] first = XdrCodec.EncodeToArray(made);
        T decoded = XdrCodec.Decode<T>(first);
        byte[] second = XdrCodec.EncodeToArray(decoded);
        if (!first.AsSpan().SequenceEqual(second))
        {
            throw new InvalidOperationException($"decoded and encoded again, {first.Length} bytes became {second.Length} different ones");
        }

        // Value semantics: what came back equals what was made, with the same hash code, and shows its type's name.
        if (!EqualityComparer<T>.Default.Equals(made, decoded) || made.GetHashCode() != decoded.GetHashCode())
        {
            throw new InvalidOperationException("decoded, it is not Equals to the value made, or its hash code differs");
        }

        if (made.ToString()?.StartsWith(typeof(T).Name + " {", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"ToString shows no fields: {made}");
        }
    }
}
