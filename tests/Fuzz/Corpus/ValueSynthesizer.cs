using System.Reflection;
using NetRpc.Xdr;

namespace NetRpc.Fuzz.Corpus;

/// <summary>
/// Builds valid values of generated XDR types by reflection, so that seeds reach every arm of every union
/// without a hand-written sample per type: a struct is its parameterless constructor with each property filled in,
/// a union one of its factories (<c>FromArm(...)</c>, <c>Of(discriminant)</c>), an enum one of its members. What
/// the constructor makes tells fixed-size from variable data (a fixed opaque or array starts at its full length).
/// A value that breaks a declared maximum is refused by its encoder and built again; every value returned
/// encodes, and decodes back from its encoding.
/// </summary>
internal sealed class ValueSynthesizer(Random random, int maxDepth = 5)
{
    private static readonly MethodInfo s_encode = typeof(ValueSynthesizer).GetMethod(nameof(EncodeAs), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly int[] s_opaqueLengths = [0, 1, 3, 4, 5, 8, 12, 16, 21, 32];
    private static readonly MethodInfo s_decode = typeof(ValueSynthesizer).GetMethod(nameof(DecodeAs), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>A new value of <paramref name="type"/>; a union takes the factory numbered <paramref name="armHint"/> (see <see cref="Factories"/>) where it can.</summary>
    public object Value(Type type, int armHint = -1)
    {
        for (int attempt = 0; ; attempt++)
        {
            object value = Build(type, 0, armHint);
            try
            {
                Decode(type, Encode(type, value));
                return value;
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException && attempt < 100)
            {
                // A random length broke a declared maximum: build it again.
            }
        }
    }

    public static byte[] Encode(Type type, object value) => (byte[])s_encode.MakeGenericMethod(type).Invoke(null, [value])!;

    public static object Decode(Type type, byte[] bytes) => s_decode.MakeGenericMethod(type).Invoke(null, [bytes])!;

    /// <summary>The factories of a union: static methods of the type returning it.</summary>
    public static MethodInfo[] Factories(Type union) =>
        [.. union.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType == union && (m.Name.StartsWith("From", StringComparison.Ordinal) || m.Name == "Of"))
            .OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.GetParameters().Length)];

    private static byte[] EncodeAs<T>(object value) where T : IXdrCodec<T> => XdrCodec.EncodeToArray((T)value);

    private static T DecodeAs<T>(byte[] bytes) where T : IXdrCodec<T> => XdrCodec.Decode<T>(bytes);

    private object Build(Type type, int depth, int armHint = -1)
    {
        if (type.IsEnum)
        {
            Array values = Enum.GetValuesAsUnderlyingType(type);
            return Enum.ToObject(type, values.GetValue(random.Next(values.Length))!);
        }

        if (type == typeof(string))
        {
            return "f" + random.Next(1000);
        }

        if (type.IsPrimitive)
        {
            return Primitive(type);
        }

        if (type.IsValueType)
        {
            return Activator.CreateInstance(type)!;
        }

        if (type.IsArray)
        {
            // A union arm's data, whose declared length is unknown here: the encoder refuses a wrong one, and the value is built again.
            return Field(type, null, depth)!;
        }

        return type.GetConstructor(Type.EmptyTypes) is { } constructor
            ? Struct(type, constructor.Invoke(null), depth)
            : Union(type, depth, armHint);
    }

    private object Primitive(Type type)
    {
        long value = random.Next(4) switch { 0 => 0, 1 => 1, 2 => random.Next(), _ => -1 };
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => value != 0,
            TypeCode.Int32 => (int)value,
            TypeCode.UInt32 => unchecked((uint)value),
            TypeCode.Int64 => value,
            TypeCode.UInt64 => unchecked((ulong)value),
            TypeCode.Single => (float)value,
            TypeCode.Double => (double)value,
            _ => Convert.ChangeType(0, type, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private object Struct(Type type, object value, int depth)
    {
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            object? current = property.GetValue(value);
            property.SetValue(value, Field(property.PropertyType, current, depth + 1));
        }

        return value;
    }

    /// <summary>A field's value; <paramref name="current"/>, what the constructor put there, tells fixed from variable and required from optional.</summary>
    private object? Field(Type type, object? current, int depth)
    {
        if (type == typeof(byte[]))
        {
            byte[] bytes = new byte[current is byte[] { Length: > 0 } fixedBytes ? fixedBytes.Length : s_opaqueLengths[random.Next(s_opaqueLengths.Length)]];
            random.NextBytes(bytes);
            return bytes;
        }

        if (type.IsArray)
        {
            Type element = type.GetElementType()!;
            int length = current is Array { Length: > 0 } fixedArray ? fixedArray.Length : depth < maxDepth ? random.Next(4) : 0;
            var array = Array.CreateInstance(element, length);
            for (int i = 0; i < length; i++)
            {
                array.SetValue(Build(element, depth), i);
            }

            return array;
        }

        if (current is null && !type.IsValueType && type != typeof(string))
        {
            // Optional data (T *): present on most levels, absent where the value would grow too deep.
            return depth < maxDepth && random.Next(3) != 0 ? Build(type, depth) : null;
        }

        return Build(type, depth);
    }

    /// <summary>A union through one of its factories; a factory taking the discriminant is tried with each enum member until one selects its arm.</summary>
    private object Union(Type type, int depth, int armHint)
    {
        MethodInfo[] factories = Factories(type);
        if (factories.Length == 0)
        {
            throw new InvalidOperationException($"{type.Name} has neither a parameterless constructor nor union factories");
        }

        // Past the depth limit, prefer an arm without data, so that recursive unions end.
        MethodInfo[] order = depth >= maxDepth
            ? [.. factories.OrderBy(f => f.GetParameters().Count(p => !IsDiscriminant(p.ParameterType)))]
            : armHint >= 0 ? [factories[armHint % factories.Length], .. factories] : [.. factories.OrderBy(_ => random.Next())];
        foreach (MethodInfo factory in order)
        {
            ParameterInfo[] parameters = factory.GetParameters();
            for (int attempt = 0; attempt < 16; attempt++)
            {
                object?[] arguments = [.. parameters.Select(p => Build(p.ParameterType, depth + 1))];
                try
                {
                    return factory.Invoke(null, arguments)!;
                }
                catch (TargetInvocationException e) when (e.InnerException is ArgumentException)
                {
                    // That discriminant selects another arm.
                }
            }
        }

        throw new InvalidOperationException($"no factory of {type.Name} accepted its arguments");
    }

    private static bool IsDiscriminant(Type type) => type.IsEnum || type.IsPrimitive;
}
