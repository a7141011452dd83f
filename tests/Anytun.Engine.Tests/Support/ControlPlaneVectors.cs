namespace Anytun.Engine.Tests.Support;

/// <summary>The control-plane captures copied under Vectors/controlplane (spec vectors/controlplane).</summary>
public static class ControlPlaneVectors
{
    public static string Root => System.IO.Path.Combine(AppContext.BaseDirectory, "Vectors", "controlplane");

    public static byte[] Bytes(string relativePath) => File.ReadAllBytes(Path(relativePath));

    public static string Text(string relativePath) => File.ReadAllText(Path(relativePath));

    /// <summary>The file's bytes as Latin-1 text (one char per byte), for exact comparisons.</summary>
    public static string Latin1Text(string relativePath) => System.Text.Encoding.Latin1.GetString(Bytes(relativePath));

    public static string Path(string relativePath)
    {
        var path = System.IO.Path.Combine(Root, relativePath);
        Assert.True(File.Exists(path), $"vector file {path} is missing (is it copied to the test output?)");
        return path;
    }

    /// <summary>Names of the showtables probes (showtables/&lt;name&gt;.in + .out).</summary>
    public static TheoryData<string> ShowTablesProbes()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(System.IO.Path.Combine(Root, "showtables"), "*.in").Order(StringComparer.Ordinal))
        {
            data.Add(System.IO.Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    /// <summary>Every recorded sync stream (.bin) and stream extracted from a pcap.</summary>
    public static TheoryData<string> SyncStreams()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Root, "*.bin", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(System.IO.Path.GetRelativePath(Root, file));
        }

        return data;
    }
}
