using System.Runtime.CompilerServices;
using ILGPU;

namespace SharpEdge.Gpu;

/// <summary>Four doubles, one per sample of a register tile.</summary>
internal struct Tile4
{
    public double S0, S1, S2, S3;
}

/// <summary>
/// One row of the student, W[k, 0..31], as 32 scalars, so that ILGPU keeps it in registers (an indexed array would
/// live in local memory). Every loop over l is written out, in the CPU kernels' order of operations; the file is
/// repetitive on purpose. Used by <see cref="PaperShapeKernel{TOps}"/> (L = 32, four samples per step).
/// </summary>
internal struct StudentRow32
{
    public const int Width = 32;

    public double W0, W1, W2, W3, W4, W5, W6, W7, W8, W9, W10, W11, W12, W13, W14, W15, W16, W17, W18, W19, W20, W21, W22, W23, W24, W25, W26, W27, W28, W29, W30, W31;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static StudentRow32 Load(ArrayView<double> source, long offset)
    {
        StudentRow32 row;
        row.W0 = source[offset + 0];
        row.W1 = source[offset + 1];
        row.W2 = source[offset + 2];
        row.W3 = source[offset + 3];
        row.W4 = source[offset + 4];
        row.W5 = source[offset + 5];
        row.W6 = source[offset + 6];
        row.W7 = source[offset + 7];
        row.W8 = source[offset + 8];
        row.W9 = source[offset + 9];
        row.W10 = source[offset + 10];
        row.W11 = source[offset + 11];
        row.W12 = source[offset + 12];
        row.W13 = source[offset + 13];
        row.W14 = source[offset + 14];
        row.W15 = source[offset + 15];
        row.W16 = source[offset + 16];
        row.W17 = source[offset + 17];
        row.W18 = source[offset + 18];
        row.W19 = source[offset + 19];
        row.W20 = source[offset + 20];
        row.W21 = source[offset + 21];
        row.W22 = source[offset + 22];
        row.W23 = source[offset + 23];
        row.W24 = source[offset + 24];
        row.W25 = source[offset + 25];
        row.W26 = source[offset + 26];
        row.W27 = source[offset + 27];
        row.W28 = source[offset + 28];
        row.W29 = source[offset + 29];
        row.W30 = source[offset + 30];
        row.W31 = source[offset + 31];
        return row;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(StudentRow32 row, ArrayView<double> target, long offset)
    {
        target[offset + 0] = row.W0;
        target[offset + 1] = row.W1;
        target[offset + 2] = row.W2;
        target[offset + 3] = row.W3;
        target[offset + 4] = row.W4;
        target[offset + 5] = row.W5;
        target[offset + 6] = row.W6;
        target[offset + 7] = row.W7;
        target[offset + 8] = row.W8;
        target[offset + 9] = row.W9;
        target[offset + 10] = row.W10;
        target[offset + 11] = row.W11;
        target[offset + 12] = row.W12;
        target[offset + 13] = row.W13;
        target[offset + 14] = row.W14;
        target[offset + 15] = row.W15;
        target[offset + 16] = row.W16;
        target[offset + 17] = row.W17;
        target[offset + 18] = row.W18;
        target[offset + 19] = row.W19;
        target[offset + 20] = row.W20;
        target[offset + 21] = row.W21;
        target[offset + 22] = row.W22;
        target[offset + 23] = row.W23;
        target[offset + 24] = row.W24;
        target[offset + 25] = row.W25;
        target[offset + 26] = row.W26;
        target[offset + 27] = row.W27;
        target[offset + 28] = row.W28;
        target[offset + 29] = row.W29;
        target[offset + 30] = row.W30;
        target[offset + 31] = row.W31;
    }

    /// <summary>
    /// W·φ_n for the four samples φ_n = phi[at + 32n …]: per sample two FMA chains, over even and over odd l, then
    /// added (the AVX-512 kernel's Forward4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Tile4 Forward4<TOps>(StudentRow32 row, ArrayView<double> phi) where TOps : struct, IFloatOps
    {
        double e0 = 0.0, e1 = 0.0, e2 = 0.0, e3 = 0.0, o0 = 0.0, o1 = 0.0, o2 = 0.0, o3 = 0.0;
        e0 = default(TOps).Fma(row.W0, phi[0], e0);
        e1 = default(TOps).Fma(row.W0, phi[32], e1);
        e2 = default(TOps).Fma(row.W0, phi[64], e2);
        e3 = default(TOps).Fma(row.W0, phi[96], e3);
        o0 = default(TOps).Fma(row.W1, phi[1], o0);
        o1 = default(TOps).Fma(row.W1, phi[33], o1);
        o2 = default(TOps).Fma(row.W1, phi[65], o2);
        o3 = default(TOps).Fma(row.W1, phi[97], o3);
        e0 = default(TOps).Fma(row.W2, phi[2], e0);
        e1 = default(TOps).Fma(row.W2, phi[34], e1);
        e2 = default(TOps).Fma(row.W2, phi[66], e2);
        e3 = default(TOps).Fma(row.W2, phi[98], e3);
        o0 = default(TOps).Fma(row.W3, phi[3], o0);
        o1 = default(TOps).Fma(row.W3, phi[35], o1);
        o2 = default(TOps).Fma(row.W3, phi[67], o2);
        o3 = default(TOps).Fma(row.W3, phi[99], o3);
        e0 = default(TOps).Fma(row.W4, phi[4], e0);
        e1 = default(TOps).Fma(row.W4, phi[36], e1);
        e2 = default(TOps).Fma(row.W4, phi[68], e2);
        e3 = default(TOps).Fma(row.W4, phi[100], e3);
        o0 = default(TOps).Fma(row.W5, phi[5], o0);
        o1 = default(TOps).Fma(row.W5, phi[37], o1);
        o2 = default(TOps).Fma(row.W5, phi[69], o2);
        o3 = default(TOps).Fma(row.W5, phi[101], o3);
        e0 = default(TOps).Fma(row.W6, phi[6], e0);
        e1 = default(TOps).Fma(row.W6, phi[38], e1);
        e2 = default(TOps).Fma(row.W6, phi[70], e2);
        e3 = default(TOps).Fma(row.W6, phi[102], e3);
        o0 = default(TOps).Fma(row.W7, phi[7], o0);
        o1 = default(TOps).Fma(row.W7, phi[39], o1);
        o2 = default(TOps).Fma(row.W7, phi[71], o2);
        o3 = default(TOps).Fma(row.W7, phi[103], o3);
        e0 = default(TOps).Fma(row.W8, phi[8], e0);
        e1 = default(TOps).Fma(row.W8, phi[40], e1);
        e2 = default(TOps).Fma(row.W8, phi[72], e2);
        e3 = default(TOps).Fma(row.W8, phi[104], e3);
        o0 = default(TOps).Fma(row.W9, phi[9], o0);
        o1 = default(TOps).Fma(row.W9, phi[41], o1);
        o2 = default(TOps).Fma(row.W9, phi[73], o2);
        o3 = default(TOps).Fma(row.W9, phi[105], o3);
        e0 = default(TOps).Fma(row.W10, phi[10], e0);
        e1 = default(TOps).Fma(row.W10, phi[42], e1);
        e2 = default(TOps).Fma(row.W10, phi[74], e2);
        e3 = default(TOps).Fma(row.W10, phi[106], e3);
        o0 = default(TOps).Fma(row.W11, phi[11], o0);
        o1 = default(TOps).Fma(row.W11, phi[43], o1);
        o2 = default(TOps).Fma(row.W11, phi[75], o2);
        o3 = default(TOps).Fma(row.W11, phi[107], o3);
        e0 = default(TOps).Fma(row.W12, phi[12], e0);
        e1 = default(TOps).Fma(row.W12, phi[44], e1);
        e2 = default(TOps).Fma(row.W12, phi[76], e2);
        e3 = default(TOps).Fma(row.W12, phi[108], e3);
        o0 = default(TOps).Fma(row.W13, phi[13], o0);
        o1 = default(TOps).Fma(row.W13, phi[45], o1);
        o2 = default(TOps).Fma(row.W13, phi[77], o2);
        o3 = default(TOps).Fma(row.W13, phi[109], o3);
        e0 = default(TOps).Fma(row.W14, phi[14], e0);
        e1 = default(TOps).Fma(row.W14, phi[46], e1);
        e2 = default(TOps).Fma(row.W14, phi[78], e2);
        e3 = default(TOps).Fma(row.W14, phi[110], e3);
        o0 = default(TOps).Fma(row.W15, phi[15], o0);
        o1 = default(TOps).Fma(row.W15, phi[47], o1);
        o2 = default(TOps).Fma(row.W15, phi[79], o2);
        o3 = default(TOps).Fma(row.W15, phi[111], o3);
        e0 = default(TOps).Fma(row.W16, phi[16], e0);
        e1 = default(TOps).Fma(row.W16, phi[48], e1);
        e2 = default(TOps).Fma(row.W16, phi[80], e2);
        e3 = default(TOps).Fma(row.W16, phi[112], e3);
        o0 = default(TOps).Fma(row.W17, phi[17], o0);
        o1 = default(TOps).Fma(row.W17, phi[49], o1);
        o2 = default(TOps).Fma(row.W17, phi[81], o2);
        o3 = default(TOps).Fma(row.W17, phi[113], o3);
        e0 = default(TOps).Fma(row.W18, phi[18], e0);
        e1 = default(TOps).Fma(row.W18, phi[50], e1);
        e2 = default(TOps).Fma(row.W18, phi[82], e2);
        e3 = default(TOps).Fma(row.W18, phi[114], e3);
        o0 = default(TOps).Fma(row.W19, phi[19], o0);
        o1 = default(TOps).Fma(row.W19, phi[51], o1);
        o2 = default(TOps).Fma(row.W19, phi[83], o2);
        o3 = default(TOps).Fma(row.W19, phi[115], o3);
        e0 = default(TOps).Fma(row.W20, phi[20], e0);
        e1 = default(TOps).Fma(row.W20, phi[52], e1);
        e2 = default(TOps).Fma(row.W20, phi[84], e2);
        e3 = default(TOps).Fma(row.W20, phi[116], e3);
        o0 = default(TOps).Fma(row.W21, phi[21], o0);
        o1 = default(TOps).Fma(row.W21, phi[53], o1);
        o2 = default(TOps).Fma(row.W21, phi[85], o2);
        o3 = default(TOps).Fma(row.W21, phi[117], o3);
        e0 = default(TOps).Fma(row.W22, phi[22], e0);
        e1 = default(TOps).Fma(row.W22, phi[54], e1);
        e2 = default(TOps).Fma(row.W22, phi[86], e2);
        e3 = default(TOps).Fma(row.W22, phi[118], e3);
        o0 = default(TOps).Fma(row.W23, phi[23], o0);
        o1 = default(TOps).Fma(row.W23, phi[55], o1);
        o2 = default(TOps).Fma(row.W23, phi[87], o2);
        o3 = default(TOps).Fma(row.W23, phi[119], o3);
        e0 = default(TOps).Fma(row.W24, phi[24], e0);
        e1 = default(TOps).Fma(row.W24, phi[56], e1);
        e2 = default(TOps).Fma(row.W24, phi[88], e2);
        e3 = default(TOps).Fma(row.W24, phi[120], e3);
        o0 = default(TOps).Fma(row.W25, phi[25], o0);
        o1 = default(TOps).Fma(row.W25, phi[57], o1);
        o2 = default(TOps).Fma(row.W25, phi[89], o2);
        o3 = default(TOps).Fma(row.W25, phi[121], o3);
        e0 = default(TOps).Fma(row.W26, phi[26], e0);
        e1 = default(TOps).Fma(row.W26, phi[58], e1);
        e2 = default(TOps).Fma(row.W26, phi[90], e2);
        e3 = default(TOps).Fma(row.W26, phi[122], e3);
        o0 = default(TOps).Fma(row.W27, phi[27], o0);
        o1 = default(TOps).Fma(row.W27, phi[59], o1);
        o2 = default(TOps).Fma(row.W27, phi[91], o2);
        o3 = default(TOps).Fma(row.W27, phi[123], o3);
        e0 = default(TOps).Fma(row.W28, phi[28], e0);
        e1 = default(TOps).Fma(row.W28, phi[60], e1);
        e2 = default(TOps).Fma(row.W28, phi[92], e2);
        e3 = default(TOps).Fma(row.W28, phi[124], e3);
        o0 = default(TOps).Fma(row.W29, phi[29], o0);
        o1 = default(TOps).Fma(row.W29, phi[61], o1);
        o2 = default(TOps).Fma(row.W29, phi[93], o2);
        o3 = default(TOps).Fma(row.W29, phi[125], o3);
        e0 = default(TOps).Fma(row.W30, phi[30], e0);
        e1 = default(TOps).Fma(row.W30, phi[62], e1);
        e2 = default(TOps).Fma(row.W30, phi[94], e2);
        e3 = default(TOps).Fma(row.W30, phi[126], e3);
        o0 = default(TOps).Fma(row.W31, phi[31], o0);
        o1 = default(TOps).Fma(row.W31, phi[63], o1);
        o2 = default(TOps).Fma(row.W31, phi[95], o2);
        o3 = default(TOps).Fma(row.W31, phi[127], o3);
        Tile4 z;
        z.S0 = e0 + o0;
        z.S1 = e1 + o1;
        z.S2 = e2 + o2;
        z.S3 = e3 + o3;
        return z;
    }

    /// <summary>W[l] += Σ_n d_n·φ_n[l] as one FMA chain per element over n = 0 … 3 in order (the CPU kernels' Update4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static StudentRow32 Update4<TOps>(StudentRow32 row, Tile4 d, ArrayView<double> phi) where TOps : struct, IFloatOps
    {
        row.W0 = default(TOps).Fma(d.S3, phi[96], default(TOps).Fma(d.S2, phi[64], default(TOps).Fma(d.S1, phi[32], default(TOps).Fma(d.S0, phi[0], row.W0))));
        row.W1 = default(TOps).Fma(d.S3, phi[97], default(TOps).Fma(d.S2, phi[65], default(TOps).Fma(d.S1, phi[33], default(TOps).Fma(d.S0, phi[1], row.W1))));
        row.W2 = default(TOps).Fma(d.S3, phi[98], default(TOps).Fma(d.S2, phi[66], default(TOps).Fma(d.S1, phi[34], default(TOps).Fma(d.S0, phi[2], row.W2))));
        row.W3 = default(TOps).Fma(d.S3, phi[99], default(TOps).Fma(d.S2, phi[67], default(TOps).Fma(d.S1, phi[35], default(TOps).Fma(d.S0, phi[3], row.W3))));
        row.W4 = default(TOps).Fma(d.S3, phi[100], default(TOps).Fma(d.S2, phi[68], default(TOps).Fma(d.S1, phi[36], default(TOps).Fma(d.S0, phi[4], row.W4))));
        row.W5 = default(TOps).Fma(d.S3, phi[101], default(TOps).Fma(d.S2, phi[69], default(TOps).Fma(d.S1, phi[37], default(TOps).Fma(d.S0, phi[5], row.W5))));
        row.W6 = default(TOps).Fma(d.S3, phi[102], default(TOps).Fma(d.S2, phi[70], default(TOps).Fma(d.S1, phi[38], default(TOps).Fma(d.S0, phi[6], row.W6))));
        row.W7 = default(TOps).Fma(d.S3, phi[103], default(TOps).Fma(d.S2, phi[71], default(TOps).Fma(d.S1, phi[39], default(TOps).Fma(d.S0, phi[7], row.W7))));
        row.W8 = default(TOps).Fma(d.S3, phi[104], default(TOps).Fma(d.S2, phi[72], default(TOps).Fma(d.S1, phi[40], default(TOps).Fma(d.S0, phi[8], row.W8))));
        row.W9 = default(TOps).Fma(d.S3, phi[105], default(TOps).Fma(d.S2, phi[73], default(TOps).Fma(d.S1, phi[41], default(TOps).Fma(d.S0, phi[9], row.W9))));
        row.W10 = default(TOps).Fma(d.S3, phi[106], default(TOps).Fma(d.S2, phi[74], default(TOps).Fma(d.S1, phi[42], default(TOps).Fma(d.S0, phi[10], row.W10))));
        row.W11 = default(TOps).Fma(d.S3, phi[107], default(TOps).Fma(d.S2, phi[75], default(TOps).Fma(d.S1, phi[43], default(TOps).Fma(d.S0, phi[11], row.W11))));
        row.W12 = default(TOps).Fma(d.S3, phi[108], default(TOps).Fma(d.S2, phi[76], default(TOps).Fma(d.S1, phi[44], default(TOps).Fma(d.S0, phi[12], row.W12))));
        row.W13 = default(TOps).Fma(d.S3, phi[109], default(TOps).Fma(d.S2, phi[77], default(TOps).Fma(d.S1, phi[45], default(TOps).Fma(d.S0, phi[13], row.W13))));
        row.W14 = default(TOps).Fma(d.S3, phi[110], default(TOps).Fma(d.S2, phi[78], default(TOps).Fma(d.S1, phi[46], default(TOps).Fma(d.S0, phi[14], row.W14))));
        row.W15 = default(TOps).Fma(d.S3, phi[111], default(TOps).Fma(d.S2, phi[79], default(TOps).Fma(d.S1, phi[47], default(TOps).Fma(d.S0, phi[15], row.W15))));
        row.W16 = default(TOps).Fma(d.S3, phi[112], default(TOps).Fma(d.S2, phi[80], default(TOps).Fma(d.S1, phi[48], default(TOps).Fma(d.S0, phi[16], row.W16))));
        row.W17 = default(TOps).Fma(d.S3, phi[113], default(TOps).Fma(d.S2, phi[81], default(TOps).Fma(d.S1, phi[49], default(TOps).Fma(d.S0, phi[17], row.W17))));
        row.W18 = default(TOps).Fma(d.S3, phi[114], default(TOps).Fma(d.S2, phi[82], default(TOps).Fma(d.S1, phi[50], default(TOps).Fma(d.S0, phi[18], row.W18))));
        row.W19 = default(TOps).Fma(d.S3, phi[115], default(TOps).Fma(d.S2, phi[83], default(TOps).Fma(d.S1, phi[51], default(TOps).Fma(d.S0, phi[19], row.W19))));
        row.W20 = default(TOps).Fma(d.S3, phi[116], default(TOps).Fma(d.S2, phi[84], default(TOps).Fma(d.S1, phi[52], default(TOps).Fma(d.S0, phi[20], row.W20))));
        row.W21 = default(TOps).Fma(d.S3, phi[117], default(TOps).Fma(d.S2, phi[85], default(TOps).Fma(d.S1, phi[53], default(TOps).Fma(d.S0, phi[21], row.W21))));
        row.W22 = default(TOps).Fma(d.S3, phi[118], default(TOps).Fma(d.S2, phi[86], default(TOps).Fma(d.S1, phi[54], default(TOps).Fma(d.S0, phi[22], row.W22))));
        row.W23 = default(TOps).Fma(d.S3, phi[119], default(TOps).Fma(d.S2, phi[87], default(TOps).Fma(d.S1, phi[55], default(TOps).Fma(d.S0, phi[23], row.W23))));
        row.W24 = default(TOps).Fma(d.S3, phi[120], default(TOps).Fma(d.S2, phi[88], default(TOps).Fma(d.S1, phi[56], default(TOps).Fma(d.S0, phi[24], row.W24))));
        row.W25 = default(TOps).Fma(d.S3, phi[121], default(TOps).Fma(d.S2, phi[89], default(TOps).Fma(d.S1, phi[57], default(TOps).Fma(d.S0, phi[25], row.W25))));
        row.W26 = default(TOps).Fma(d.S3, phi[122], default(TOps).Fma(d.S2, phi[90], default(TOps).Fma(d.S1, phi[58], default(TOps).Fma(d.S0, phi[26], row.W26))));
        row.W27 = default(TOps).Fma(d.S3, phi[123], default(TOps).Fma(d.S2, phi[91], default(TOps).Fma(d.S1, phi[59], default(TOps).Fma(d.S0, phi[27], row.W27))));
        row.W28 = default(TOps).Fma(d.S3, phi[124], default(TOps).Fma(d.S2, phi[92], default(TOps).Fma(d.S1, phi[60], default(TOps).Fma(d.S0, phi[28], row.W28))));
        row.W29 = default(TOps).Fma(d.S3, phi[125], default(TOps).Fma(d.S2, phi[93], default(TOps).Fma(d.S1, phi[61], default(TOps).Fma(d.S0, phi[29], row.W29))));
        row.W30 = default(TOps).Fma(d.S3, phi[126], default(TOps).Fma(d.S2, phi[94], default(TOps).Fma(d.S1, phi[62], default(TOps).Fma(d.S0, phi[30], row.W30))));
        row.W31 = default(TOps).Fma(d.S3, phi[127], default(TOps).Fma(d.S2, phi[95], default(TOps).Fma(d.S1, phi[63], default(TOps).Fma(d.S0, phi[31], row.W31))));
        return row;
    }
}
