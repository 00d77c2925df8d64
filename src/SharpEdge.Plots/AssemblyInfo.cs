using System.Runtime.CompilerServices;

// The tests check rendered pixels against the plot's own coordinate mapping and the contour tracer directly.
[assembly: InternalsVisibleTo("SharpEdge.Plots.Tests")]
