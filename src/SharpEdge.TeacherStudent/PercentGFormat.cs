using System.Globalization;
using System.Numerics;
using System.Text;

namespace SharpEdge.TeacherStudent;

/// <summary>
/// C/Python <c>"%.Ng" % x</c> formatting, used for the run folder names (phase_ml_spec §3.4: <c>lr{lr:%.5g}</c>
/// gives lr1, lr0.125, lr1e+06). Rounds the exact binary value to N significant digits, ties to even as
/// Python does (1.03125 → "1.0312"); fixed notation when −4 ≤ exponent &lt; N, else d.ddde±XX; trailing zeros
/// and a trailing point removed.
/// </summary>
public static class PercentGFormat
{
    public static string Format(double value, int precision = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(precision);
        if (precision == 0) precision = 1;
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        string sign = double.IsNegative(value) ? "-" : "";
        if (value == 0.0) return sign + "0";

        var (digits, exponent) = RoundedDigits(Math.Abs(value), precision);
        var text = new StringBuilder(sign);
        if (exponent >= -4 && exponent < precision)
        {
            if (exponent >= 0)
            {
                text.Append(digits, 0, exponent + 1);
                AppendFraction(text, digits[(exponent + 1)..]);
            }
            else
            {
                text.Append('0');
                AppendFraction(text, new string('0', -exponent - 1) + digits);
            }
        }
        else
        {
            text.Append(digits[0]);
            AppendFraction(text, digits[1..]);
            text.Append(exponent < 0 ? "e-" : "e+").Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static void AppendFraction(StringBuilder text, string fraction)
    {
        fraction = fraction.TrimEnd('0');
        if (fraction.Length > 0) text.Append('.').Append(fraction);
    }

    // The first `precision` significant decimal digits of the positive finite value, correctly rounded (ties to
    // even), and the decimal exponent of the first digit.
    private static (string Digits, int Exponent) RoundedDigits(double value, int precision)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biasedExponent = (int)(bits >> 52) & 0x7FF;
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (biasedExponent == 0) biasedExponent = 1; else mantissa |= 1L << 52;
        int binaryExponent = biasedExponent - 1075; // value = mantissa · 2^binaryExponent exactly

        // Exact decimal expansion: value = digits · 10^scale.
        BigInteger integer = mantissa;
        int scale = 0;
        if (binaryExponent >= 0) integer <<= binaryExponent;
        else
        {
            integer *= BigInteger.Pow(5, -binaryExponent);
            scale = binaryExponent;
        }
        string exact = integer.ToString(CultureInfo.InvariantCulture);
        int exponent = exact.Length - 1 + scale;
        if (exact.Length <= precision) return (exact.PadRight(precision, '0'), exponent);

        var head = exact[..precision].ToCharArray();
        string rest = exact[precision..];
        bool above = rest[0] > '5' || (rest[0] == '5' && rest.AsSpan(1).ContainsAnyExcept('0'));
        bool tie = rest[0] == '5' && !above;
        if (above || (tie && (head[^1] - '0') % 2 == 1))
        {
            int i = head.Length - 1;
            while (i >= 0 && head[i] == '9') head[i--] = '0';
            if (i >= 0) head[i]++;
            else
            {
                // 9.99…9 rounded up to 10.0…0: one more digit before the point.
                return ("1" + new string('0', precision - 1), exponent + 1);
            }
        }
        return (new string(head), exponent);
    }
}
