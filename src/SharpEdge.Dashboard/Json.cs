using System.Text.Json;
using System.Text.Json.Serialization;

namespace SharpEdge.Dashboard;

/// <summary>The API's JSON conventions: snake_case names as in the CLI's --json output, nulls written.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static IReadOnlyList<string> StringArray(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<string[]>(text) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
