using Microsoft.Data.Sqlite;

namespace SharpEdge.Dashboard;

/// <summary>Parameterised commands on a connection; values are always bound, never spliced into SQL.</summary>
internal static class Sql
{
    public static SqliteCommand Command(this SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static object? Scalar(this SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.Command(sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static double? NullableDouble(this SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetDouble(column);
    public static long? NullableLong(this SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetInt64(column);
    public static string? NullableString(this SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    /// <summary>JSON has no NaN or ±∞: those become null (a gap in a chart).</summary>
    public static double? Finite(double? value) => value is double v && double.IsFinite(v) ? v : null;
}
