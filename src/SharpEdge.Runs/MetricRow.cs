namespace SharpEdge.Runs;

/// <summary>
/// One measured value at one training step: an Estimate as stored (value, standard error when the measurement
/// is a Monte-Carlo estimate, number of samples behind it). NaN and ±∞ values are kept (diverged runs need them);
/// SQLite stores NaN as NULL, which the store reads back as NaN.
/// </summary>
public readonly record struct MetricRow(long Step, double? Epoch, string Name, double Value, double? Se = null, long? Samples = null);
