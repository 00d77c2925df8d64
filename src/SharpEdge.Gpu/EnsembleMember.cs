using SharpEdge.TeacherStudent;

namespace SharpEdge.Gpu;

/// <summary>
/// One model of an ensemble launch: its cell's configuration and its seed. Models of different (lr, eps) cells
/// can train together; every other parameter must be shared.
/// </summary>
public sealed record EnsembleMember(TeacherStudentConfig Config, long Seed);
