using System.Diagnostics;
using System.Numerics.Tensors;
using SharpEdge.Numerics;

namespace SharpEdge.Curvature;

/// <summary>
/// Locally optimal block preconditioned conjugate gradient (Knyazev 2001), unpreconditioned, in the robust
/// form of Duersch, Shao, Yang and Gu (SIAM J. Sci. Comput. 40, 2018). Each iteration takes the Rayleigh–Ritz
/// pairs of A on S = [X, P, W], where X holds the current Ritz vectors (block size k + guard vectors), W the
/// residuals AX − XΘ of the columns still active, and P the part of the previous step's update that is
/// orthogonal to X:
/// <list type="bullet">
/// <item>W is projected against [X, P] twice (block classical Gram–Schmidt) and orthonormalised by SVQB
/// (Stathopoulos and Wu 2002), dropping directions that carry no new information;</item>
/// <item>the Rayleigh–Ritz step orthonormalises S once more through its Gram matrix (SVQB again), so a basis
/// that lost orthogonality or rank costs accuracy in no eigenvalue;</item>
/// <item>P = S·C_P with C_P an orthonormal basis, in the Gram metric, of the projection of the old X
/// coordinates onto the complement of the new Ritz vectors (Duersch et al., Algorithm 4): P spans
/// span{X_old, X_new} ⊖ X_new without the ill-conditioning of Knyazev's original P;</item>
/// <item>AX and AP are updated as AS·C, so only W costs products: one per active column per iteration.</item>
/// </list>
/// Converged columns are soft-locked: they stay in X and in every Rayleigh–Ritz step but add no residual.
/// Stops when the first <see cref="Count"/> pairs meet <see cref="RitzConvergence"/>; residuals are those of
/// the implicitly updated AX (exact up to rounding drift) unless <see cref="VerifyResiduals"/>.
/// Memory: 8·(k + guard)·n doubles, independent of the iteration count. Every product is a block product
/// (<see cref="ILinearOperator.ApplyBlock"/>), so an operator with a batched apply does them in one pass.
/// </summary>
public sealed class Lobpcg
{
    // W columns whose projection against [X, P] keeps less than this fraction of their norm are noise.
    private const double ProjectionDrop = 1e-10;
    // Gram eigenvalues below this fraction of the largest are rank deficiency.
    private const double GramDrop = 1e-14;

    public int Count { get; init; } = 1;
    /// <summary>Extra block columns that are iterated but not required to converge: they speed up the last wanted ones.</summary>
    public int GuardVectors { get; init; }
    /// <summary><see cref="Spectrum.LargestAlgebraic"/> (default) or <see cref="Spectrum.SmallestAlgebraic"/>.</summary>
    public Spectrum Which { get; init; } = Spectrum.LargestAlgebraic;
    public double Tolerance { get; init; } = 1e-6;
    public int MaxIterations { get; init; } = 200;
    public ulong Seed { get; init; }
    public bool ReturnVectors { get; init; }
    public bool SoftLocking { get; init; } = true;
    /// <summary>Recompute ‖Ax − θx‖ of the reported pairs with k fresh products (one block) at the end.</summary>
    public bool VerifyResiduals { get; init; }

    /// <summary>
    /// <paramref name="initialVectors"/> (a warm start, e.g. the previous call's <see cref="EigenResult.Vectors"/>)
    /// fill the first columns of X; the rest of the block is Gaussian from <see cref="Seed"/>.
    /// </summary>
    public EigenResult Solve(ILinearOperator op, IReadOnlyList<double[]>? initialVectors = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        int n = op.Size;
        int m = Count + GuardVectors;
        if (Count < 1) throw new ArgumentOutOfRangeException(nameof(Count), Count, "at least one eigenpair must be asked for");
        if (GuardVectors < 0) throw new ArgumentOutOfRangeException(nameof(GuardVectors), GuardVectors, "the number of guard vectors must be non-negative");
        if (m > n) throw new ArgumentOutOfRangeException(nameof(Count), $"a block of {Count} + {GuardVectors} guard vectors does not fit an operator of size {n}");
        if (Which == Spectrum.LargestMagnitude) throw new NotSupportedException("LOBPCG converges to one end of the spectrum; use Lanczos for the largest magnitude");
        if (!Enum.IsDefined(Which)) throw new ArgumentOutOfRangeException(nameof(Which), Which, "unknown part of the spectrum");
        RitzConvergence.CheckTolerance(Tolerance);
        if (MaxIterations < 0) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "the iteration cap must be non-negative");
        if (initialVectors is not null)
        {
            if (initialVectors.Count > m) throw new ArgumentException($"{initialVectors.Count} initial vectors for a block of {m}", nameof(initialVectors));
            for (int i = 0; i < initialVectors.Count; i++)
                if (initialVectors[i] is null || initialVectors[i].Length != n)
                    throw new ArgumentException($"initial vector {i} has length {initialVectors[i]?.Length ?? 0}, the operator has size {n}", nameof(initialVectors));
        }
        var clock = Stopwatch.StartNew();
        var state = new Workspace(n, m);
        var rng = new Rng(Seed);
        int products = 0;

        // X: the warm start, completed with Gaussian columns, orthonormalised
        var s = state.S;
        for (int i = 0; i < m; i++)
        {
            var row = s.AsSpan(i * n, n);
            if (initialVectors is not null && i < initialVectors.Count) initialVectors[i].CopyTo(row);
            else rng.FillNormal(row);
        }
        for (int attempt = 0; ; attempt++)
        {
            int kept = state.Orthonormalize(0, m);
            kept = state.Orthonormalize(0, kept);
            if (kept == m) break;
            if (attempt == 3) throw new InvalidOperationException($"could not build {m} independent start vectors in dimension {n}");
            for (int i = kept; i < m; i++) rng.FillNormal(s.AsSpan(i * n, n));
        }
        op.ApplyBlock(s.AsSpan(0, m * n), m, state.AS.AsSpan(0, m * n));
        products += m;
        state.RayleighRitz(m, Which);
        state.Update(m);

        var theta = state.Theta;
        var residualNorms = new double[m];
        var active = new int[m];
        bool converged = false;
        int iteration = 0;
        for (; ; iteration++)
        {
            int np = state.PCount;
            int wStart = m + np;
            // residuals of all columns, written where W goes
            for (int i = 0; i < m; i++)
            {
                var r = s.AsSpan((wStart + i) * n, n);
                TensorPrimitives.MultiplyAdd(s.AsSpan(i * n, n), -theta[i], state.AS.AsSpan(i * n, n), r);
                residualNorms[i] = TensorPrimitives.Norm(r);
            }
            converged = true;
            int nw = 0;
            for (int i = 0; i < m; i++)
            {
                bool done = residualNorms[i] <= RitzConvergence.Threshold(theta[i], state.NormEstimate, Tolerance);
                if (i < Count) converged &= done;
                if (!(done && SoftLocking)) active[nw++] = i;
            }
            if (converged || iteration == MaxIterations) break;
            for (int j = 0; j < nw; j++)
                if (active[j] != j) s.AsSpan((wStart + active[j]) * n, n).CopyTo(s.AsSpan((wStart + j) * n, n));
            nw = state.ProjectResiduals(wStart, nw);
            if (nw > 0) nw = state.Orthonormalize(wStart, nw);
            if (nw > 0) nw = state.Orthonormalize(wStart, nw);
            if (nw == 0) break; // the residuals lie in span[X, P]: no direction left to improve on
            op.ApplyBlock(s.AsSpan(wStart * n, nw * n), nw, state.AS.AsSpan(wStart * n, nw * n));
            products += nw;
            state.RayleighRitz(wStart + nw, Which);
            state.Update(wStart + nw);
        }

        var values = theta.AsSpan(0, Count).ToArray();
        var residuals = residualNorms.AsSpan(0, Count).ToArray();
        double[][]? vectors = null;
        if (ReturnVectors || VerifyResiduals)
        {
            vectors = new double[Count][];
            for (int i = 0; i < Count; i++) vectors[i] = s.AsSpan(i * n, n).ToArray();
            if (VerifyResiduals)
            {
                products += Count;
                (residuals, converged) = Lanczos.TrueResiduals(op, vectors, values, Tolerance, state.NormEstimate);
            }
        }
        return new EigenResult(values, ReturnVectors ? vectors : null, residuals, products, clock.Elapsed.TotalSeconds, converged, iteration);
    }

    /// <summary>
    /// The blocks S = [X, P, W] and AS (vectors as contiguous rows, up to 3m of them), two m-row scratch blocks,
    /// and the small dense matrices of the Rayleigh–Ritz step, all allocated once per solve.
    /// </summary>
    private sealed class Workspace
    {
        private readonly int n, m;
        private readonly double[] scratchX, scratchP;
        private readonly double[] gram, projected, gramValues, gramVectors, transform, reduced, ritzValues, ritzRows, coefficientsX, coefficientsP, complement, normsBefore;
        private int complementCount;

        public Workspace(int n, int m)
        {
            this.n = n;
            this.m = m;
            S = new double[3L * m * n];
            AS = new double[3L * m * n];
            scratchX = new double[(long)m * n];
            scratchP = new double[(long)m * n];
            int s = 3 * m;
            gram = new double[s * s];
            projected = new double[s * s];
            gramValues = new double[s];
            gramVectors = new double[s * s];
            transform = new double[s * s];
            reduced = new double[s * s];
            ritzValues = new double[s];
            ritzRows = new double[s * s];
            coefficientsX = new double[s * m];
            coefficientsP = new double[s * m];
            complement = new double[s * s];
            normsBefore = new double[m];
            Theta = new double[m];
        }

        public double[] S { get; }
        public double[] AS { get; }
        public double[] Theta { get; }
        public int PCount { get; private set; }
        /// <summary>The largest |Ritz value| seen: a lower bound on ‖A‖₂ for <see cref="RitzConvergence"/>.</summary>
        public double NormEstimate { get; private set; }

        /// <summary>SVQB on rows [start, start+count) of S: returns how many independent directions remain (moved to the front).</summary>
        public int Orthonormalize(int start, int count)
        {
            var block = S.AsSpan(start * n, count * n);
            var g = gram.AsSpan(0, count * count);
            Gemm.Multiply(false, true, count, count, n, 1.0, block, n, block, n, 0.0, g, count);
            int kept = Whiten(g, count);
            var t = transform.AsSpan(0, count * kept);
            var output = scratchX.AsSpan(0, kept * n);
            if (kept > 0) Gemm.Multiply(true, false, kept, n, count, 1.0, t, kept, block, n, 0.0, output, n);
            output.CopyTo(block);
            return kept;
        }

        /// <summary>
        /// Projects rows [start, start+count) against the first <paramref name="start"/> rows (X and P, orthonormal)
        /// twice, and drops rows that lose almost all of their norm; returns the rows left.
        /// </summary>
        public int ProjectResiduals(int start, int count)
        {
            if (count == 0) return 0;
            var basis = S.AsSpan(0, start * n);
            var block = S.AsSpan(start * n, count * n);
            for (int i = 0; i < count; i++) normsBefore[i] = TensorPrimitives.Norm(block.Slice(i * n, n));
            var c = projected.AsSpan(0, count * start);
            for (int pass = 0; pass < 2; pass++)
            {
                Gemm.Multiply(false, true, count, start, n, 1.0, block, n, basis, n, 0.0, c, start);
                Gemm.Multiply(false, false, count, n, start, -1.0, c, start, basis, n, 1.0, block, n);
            }
            int kept = 0;
            for (int i = 0; i < count; i++)
            {
                var row = block.Slice(i * n, n);
                if (!(TensorPrimitives.Norm(row) > ProjectionDrop * normsBefore[i])) continue;
                if (kept != i) row.CopyTo(block.Slice(kept * n, n));
                kept++;
            }
            return kept;
        }

        /// <summary>
        /// Rayleigh–Ritz on the first s rows of S: with G = SSᵀ and H = S(AS)ᵀ, whitens G (T with TᵀGT = I),
        /// diagonalises TᵀHT, and keeps the m wanted Ritz pairs (coefficients C_X = TY in S) and the
        /// coefficients of the rest (the complement, from which P is built).
        /// </summary>
        public void RayleighRitz(int s, Spectrum which)
        {
            var basis = S.AsSpan(0, s * n);
            var g = gram.AsSpan(0, s * s);
            var h = projected.AsSpan(0, s * s);
            Gemm.Multiply(false, true, s, s, n, 1.0, basis, n, basis, n, 0.0, g, s);
            Gemm.Multiply(false, true, s, s, n, 1.0, basis, n, AS.AsSpan(0, s * n), n, 0.0, h, s);
            for (int i = 0; i < s; i++)
                for (int j = i + 1; j < s; j++) h[i * s + j] = h[j * s + i] = 0.5 * (h[i * s + j] + h[j * s + i]);
            // keep G intact for the P construction: whiten a copy
            var gCopy = reduced.AsSpan(0, s * s);
            g.CopyTo(gCopy);
            int r = Whiten(gCopy, s);
            if (r < m) throw new InvalidOperationException($"the LOBPCG basis collapsed to rank {r} below the block size {m}");
            var t = transform.AsSpan(0, s * r);
            // reduced = Tᵀ H T (r×r)
            var ht = ritzRows.AsSpan(0, s * r);
            for (int i = 0; i < s; i++)
                for (int c = 0; c < r; c++)
                {
                    double sum = 0;
                    for (int j = 0; j < s; j++) sum += h[i * s + j] * t[j * r + c];
                    ht[i * r + c] = sum;
                }
            var red = reduced.AsSpan(0, r * r);
            for (int a = 0; a < r; a++)
                for (int b = 0; b < r; b++)
                {
                    double sum = 0;
                    for (int i = 0; i < s; i++) sum += t[i * r + a] * ht[i * r + b];
                    red[a * r + b] = sum;
                }
            for (int a = 0; a < r; a++)
                for (int b = a + 1; b < r; b++) red[a * r + b] = red[b * r + a] = 0.5 * (red[a * r + b] + red[b * r + a]);
            var values = ritzValues.AsSpan(0, r);
            var rows = ritzRows.AsSpan(0, r * r);
            DenseEigen.DecomposeInPlace(red, r, values, rows);
            NormEstimate = Math.Max(NormEstimate, Math.Max(Math.Abs(values[0]), Math.Abs(values[r - 1])));
            // wanted: the m largest (descending) or smallest (ascending); the complement: all others
            complementCount = r - m;
            var cx = coefficientsX.AsSpan(0, s * m);
            var cq = complement.AsSpan(0, s * complementCount);
            for (int k = 0; k < r; k++)
            {
                bool wanted = which == Spectrum.LargestAlgebraic ? k >= r - m : k < m;
                int column = wanted ? (which == Spectrum.LargestAlgebraic ? r - 1 - k : k) : (which == Spectrum.LargestAlgebraic ? k : k - m);
                var y = rows.Slice(k * r, r);
                if (wanted) Theta[column] = values[k];
                for (int i = 0; i < s; i++)
                {
                    double sum = 0;
                    for (int j = 0; j < r; j++) sum += t[i * r + j] * y[j];
                    if (wanted) cx[i * m + column] = sum;
                    else cq[i * complementCount + column] = sum;
                }
            }
            // P coefficients: Z = C_Qᵀ G E_X (q×m), the old X coordinates seen from the complement, made
            // orthonormal column by column; then C_P = C_Q·U is G-orthonormal and G-orthogonal to C_X.
            int q = complementCount;
            var z = transform.AsSpan(0, Math.Max(q * m, 1)); // T is no longer needed
            for (int a = 0; a < q; a++)
                for (int x = 0; x < m; x++)
                {
                    double sum = 0;
                    for (int i = 0; i < s; i++) sum += cq[i * q + a] * g[i * s + x];
                    z[a * m + x] = sum;
                }
            int np = OrthonormalColumns(z, q, m);
            var cp = coefficientsP.AsSpan(0, s * np);
            for (int i = 0; i < s; i++)
                for (int c = 0; c < np; c++)
                {
                    double sum = 0;
                    for (int a = 0; a < q; a++) sum += cq[i * q + a] * z[a * m + c];
                    cp[i * np + c] = sum;
                }
            PCount = np;
        }

        /// <summary>X ← C_Xᵀ S, P ← C_Pᵀ S and the same for AS (no products).</summary>
        public void Update(int s)
        {
            int np = PCount;
            var cx = coefficientsX.AsSpan(0, s * m);
            var cp = coefficientsP.AsSpan(0, s * np);
            for (int pass = 0; pass < 2; pass++)
            {
                var source = (pass == 0 ? S : AS).AsSpan(0, s * n);
                var x = scratchX.AsSpan(0, m * n);
                var p = scratchP.AsSpan(0, np * n);
                Gemm.Multiply(true, false, m, n, s, 1.0, cx, m, source, n, 0.0, x, n);
                if (np > 0) Gemm.Multiply(true, false, np, n, s, 1.0, cp, np, source, n, 0.0, p, n);
                var target = pass == 0 ? S : AS;
                x.CopyTo(target.AsSpan(0, m * n));
                p.CopyTo(target.AsSpan(m * n, np * n));
            }
        }

        /// <summary>
        /// SVQB core: given the Gram matrix g (count×count, destroyed), writes T (count×kept, row-major) with
        /// TᵀGT = I into <see cref="transform"/>, dropping directions whose scaled Gram eigenvalue is below
        /// <see cref="GramDrop"/> of the largest; returns kept.
        /// </summary>
        private int Whiten(Span<double> g, int count)
        {
            if (count == 0) return 0;
            Span<double> scale = stackalloc double[count];
            for (int i = 0; i < count; i++)
            {
                double diagonal = g[i * count + i];
                scale[i] = diagonal > 0 ? 1 / Math.Sqrt(diagonal) : 0;
            }
            for (int i = 0; i < count; i++)
                for (int j = 0; j < count; j++) g[i * count + j] *= scale[i] * scale[j];
            var values = gramValues.AsSpan(0, count);
            var rows = gramVectors.AsSpan(0, count * count);
            DenseEigen.DecomposeInPlace(g, count, values, rows);
            double largest = values[count - 1];
            int kept = 0;
            for (int k = count - 1; k >= 0; k--)
                if (values[k] > GramDrop * largest) kept++;
            var t = transform.AsSpan(0, count * kept);
            for (int c = 0; c < kept; c++)
            {
                int k = count - 1 - c; // most significant first
                double inverseRoot = 1 / Math.Sqrt(values[k]);
                for (int i = 0; i < count; i++) t[i * kept + c] = scale[i] * rows[k * count + i] * inverseRoot;
            }
            return kept;
        }

        /// <summary>Modified Gram–Schmidt, twice, on the columns of a rows×cols matrix; drops null columns and returns how many remain (at the front).</summary>
        private static int OrthonormalColumns(Span<double> z, int rows, int cols)
        {
            int kept = 0;
            for (int c = 0; c < cols; c++)
            {
                double before = 0;
                for (int i = 0; i < rows; i++) before += z[i * cols + c] * z[i * cols + c];
                before = Math.Sqrt(before);
                for (int pass = 0; pass < 2; pass++)
                    for (int k = 0; k < kept; k++)
                    {
                        double dot = 0;
                        for (int i = 0; i < rows; i++) dot += z[i * cols + k] * z[i * cols + c];
                        for (int i = 0; i < rows; i++) z[i * cols + c] -= dot * z[i * cols + k];
                    }
                double after = 0;
                for (int i = 0; i < rows; i++) after += z[i * cols + c] * z[i * cols + c];
                after = Math.Sqrt(after);
                // a column already (numerically) spanned, or an old X direction that did not move
                if (!(after > 1e-12 * Math.Max(before, 1e-300)) || !(after > 1e-14)) continue;
                for (int i = 0; i < rows; i++) z[i * cols + kept] = z[i * cols + c] / after;
                kept++;
            }
            return kept;
        }
    }
}
