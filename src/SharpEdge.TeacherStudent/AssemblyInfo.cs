using System.Runtime.CompilerServices;

// The tests check the internal AVX-512 tanh against Math.Tanh.
[assembly: InternalsVisibleTo("SharpEdge.TeacherStudent.Tests")]
