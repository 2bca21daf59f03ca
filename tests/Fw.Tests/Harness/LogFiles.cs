using System.Text;

namespace Fw.Tests.Harness;

/// <summary>
/// Writes real-format pfirewall.log files into a private temporary folder (deleted on Dispose).
/// Lines are real pfirewall.log lines from public sources (tests/data/log/formats-section7.log), or built from the same template.
/// </summary>
public sealed class LogFiles : IDisposable
{
    public const string Header17 =
        "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n" +
        "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n";

    public const string Header18 =
        "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n" +
        "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\n";

    public const string Fields18 =
        "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\n";

    public const string Fields17 =
        "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\n";

    public LogFiles()
    {
        Folder = Path.Combine(Path.GetTempPath(), "fw-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>Writes <paramref name="content"/> ('\n' line ends) to <paramref name="name"/>, converting line ends and encoding.</summary>
    public string Write(string name, string content, bool crlf = true, Encoding? encoding = null, bool bom = false)
    {
        string path = Path.Combine(Folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string text = crlf ? content.Replace("\r\n", "\n").Replace("\n", "\r\n") : content;
        encoding ??= new UTF8Encoding(false);
        using var stream = File.Create(path);
        if (bom)
        {
            var preamble = encoding.GetPreamble();
            stream.Write(preamble, 0, preamble.Length);
        }
        var bytes = encoding.GetBytes(text);
        stream.Write(bytes, 0, bytes.Length);
        return path;
    }

    /// <summary>Writes raw bytes.</summary>
    public string WriteBytes(string name, byte[] bytes)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// One log line in the 17/18-column layout. Null fields are written as '-'.
    /// </summary>
    public static string Line(string time, string action, string? protocol, string? src, string? dst, int? srcPort, int? dstPort,
        long? size = null, string? flags = null, long? syn = null, long? ack = null, int? win = null,
        int? icmpType = null, int? icmpCode = null, long? info = null, string? path = "RECEIVE", string? pid = null, bool withPid = false)
    {
        static string F(object? v) => v?.ToString() ?? "-";
        var s = $"{time} {action} {F(protocol)} {F(src)} {F(dst)} {F(srcPort)} {F(dstPort)} {F(size)} {F(flags)} {F(syn)} {F(ack)} {F(win)} {F(icmpType)} {F(icmpCode)} {F(info)} {F(path)}";
        if (withPid) s += " " + (pid ?? "-");
        return s + "\n";
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
