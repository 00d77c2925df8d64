using System.IO.Compression;
using System.Text;

namespace SharpEdge.TeacherStudent;

public static partial class PhaseOutput
{
    // numpy.savez(path, history): a stored zip with arr_0.npy, a 0-d object array whose pickle holds the dict.
    private static void WritePhaseMl(string path, TeacherStudentConfig config, IReadOnlyList<SeedResult> results)
    {
        string temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var archive = new ZipArchive(file, ZipArchiveMode.Create))
            {
                var entry = archive.CreateEntry("arr_0.npy", CompressionLevel.NoCompression);
                entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using var member = entry.Open();
                member.Write(ObjectArrayHeader());
                PhaseMlPickle.WriteObjectArrayOfDict(member, HistoryArrays(config, results));
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    // .npy version 1.0 header of a 0-d object array, padded like NumPy to a multiple of 64 bytes.
    private static byte[] ObjectArrayHeader()
    {
        const string dictionary = "{'descr': '|O', 'fortran_order': False, 'shape': (), }";
        const int prefix = 10; // magic (6) + version (2) + header length (2)
        int padded = (prefix + dictionary.Length + 1 + 63) / 64 * 64;
        string header = dictionary.PadRight(padded - prefix - 1) + "\n";
        var bytes = new byte[padded];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = 1;
        bytes[7] = 0;
        bytes[8] = (byte)header.Length;
        bytes[9] = (byte)(header.Length >> 8);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(prefix));
        return bytes;
    }
}
