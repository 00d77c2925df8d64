using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpEdge.Runs;

/// <summary>
/// The few Python formatting rules EoSS's results.txt depends on (eoss_spec §11.2), so files we write read
/// back byte-for-byte like the Python ones: fixed-point <c>{x:7.6f}</c> (round-half-even on the exact binary
/// value, as .NET Core 3.0+ also does; nan/inf spelled Python's way), zero-padded <c>{n:05d}</c>, <c>repr(float)</c>
/// (shortest round-trip digits, scientific below 1e-4 and from 1e16), and repr/str of the values argparse holds.
/// </summary>
internal static class PythonFormat
{
    /// <summary>f"{value:{width}.{decimals}f}"</summary>
    public static string Fixed(double value, int width, int decimals)
    {
        string text = double.IsNaN(value) ? "nan"
            : double.IsPositiveInfinity(value) ? "inf"
            : double.IsNegativeInfinity(value) ? "-inf"
            : value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return text.PadLeft(width);
    }

    /// <summary>f"{value:0{width}d}": the sign counts towards the width.</summary>
    public static string ZeroPadded(long value, int width) =>
        value < 0
            ? "-" + (-(decimal)value).ToString(CultureInfo.InvariantCulture).PadLeft(width - 1, '0')
            : value.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');

    /// <summary>repr(float) == str(float) in Python 3.</summary>
    public static string Repr(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";
        // Shortest round-trip digits and the decimal exponent of the first one.
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int e = 0;
        int ePos = r.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            e = int.Parse(r.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..ePos];
        }
        int point = r.IndexOf('.');
        int integerDigits = point < 0 ? r.Length : point;
        string digits = r.Replace(".", "");
        int exponent = integerDigits - 1 + e;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') { lead++; exponent--; }
        digits = digits[lead..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var s = new StringBuilder(value < 0 ? "-" : "");
        if (exponent is >= -4 and < 16)
        {
            if (exponent >= 0)
            {
                string whole = digits.Length > exponent + 1 ? digits[..(exponent + 1)] : digits.PadRight(exponent + 1, '0');
                string fraction = digits.Length > exponent + 1 ? digits[(exponent + 1)..] : "0";
                s.Append(whole).Append('.').Append(fraction);
            }
            else
            {
                s.Append("0.").Append('0', -exponent - 1).Append(digits);
            }
        }
        else
        {
            s.Append(digits[0]);
            if (digits.Length > 1) s.Append('.').Append(digits, 1, digits.Length - 1);
            s.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        return s.ToString();
    }

    /// <summary>repr() of the Python value a JSON value stands for (None, True, 0.01, 'mlp', [1, 9], {...}).</summary>
    public static string Repr(JsonNode? node) => node switch
    {
        null => "None",
        JsonArray array => "[" + string.Join(", ", array.Select(Repr)) + "]",
        JsonObject obj => "{" + string.Join(", ", obj.Select(p => Repr(p.Key) + ": " + Repr(p.Value))) + "}",
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => Repr(value.GetValue<string>()),
            JsonValueKind.True => "True",
            JsonValueKind.False => "False",
            JsonValueKind.Null => "None",
            JsonValueKind.Number => value.TryGetValue<long>(out long n) ? n.ToString(CultureInfo.InvariantCulture)
                : value.TryGetValue<double>(out double d) ? Repr(d)
                : value.ToJsonString(),
            _ => value.ToJsonString(),
        },
        _ => node.ToJsonString(),
    };

    /// <summary>str(): like repr() except that strings are written bare.</summary>
    public static string Str(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : Repr(node);

    /// <summary>repr(str): single quotes unless the text has a single quote and no double quote.</summary>
    public static string Repr(string text)
    {
        char quote = text.Contains('\'') && !text.Contains('"') ? '"' : '\'';
        var s = new StringBuilder().Append(quote);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\': s.Append(@"\\"); break;
                case '\n': s.Append(@"\n"); break;
                case '\r': s.Append(@"\r"); break;
                case '\t': s.Append(@"\t"); break;
                default:
                    if (c == quote) s.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) s.Append(@"\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else s.Append(c);
                    break;
            }
        }
        return s.Append(quote).ToString();
    }

    /// <summary>repr(argparse.Namespace(**config)) in Python ≥ 3.9 (attributes in insertion order).</summary>
    public static string Namespace(JsonObject config)
    {
        var parts = new List<string>();
        var starred = new List<string>();
        foreach (var (key, value) in config)
        {
            if (IsIdentifier(key)) parts.Add(key + "=" + Repr(value));
            else starred.Add(Repr(key) + ": " + Repr(value));
        }
        if (starred.Count > 0) parts.Add("**{" + string.Join(", ", starred) + "}");
        return "Namespace(" + string.Join(", ", parts) + ")";
    }

    private static bool IsIdentifier(string key) =>
        key.Length > 0 && (char.IsLetter(key[0]) || key[0] == '_') && key.All(c => char.IsLetterOrDigit(c) || c == '_');
}
