using System.Management.Automation.Host;
using System.Text.RegularExpressions;

namespace Fw.Tests.Harness;

/// <summary>
/// The raw UI of the test harness's host, which has no real console:
/// a fixed-width buffer for the formatter to lay tables out in; nothing to draw and no keys to read.
/// </summary>
internal sealed class FixedRawUI : PSHostRawUserInterface
{
    private Size _buffer;

    public FixedRawUI(int width, string title)
    {
        _buffer = new Size(width, 9999);
        WindowTitle = title;
    }

    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override Size BufferSize { get => _buffer; set => _buffer = value; }
    public override Coordinates CursorPosition { get; set; }
    public override int CursorSize { get; set; }
    public override bool KeyAvailable => false;
    public override Size MaxPhysicalWindowSize => _buffer;
    public override Size MaxWindowSize => _buffer;
    public override Coordinates WindowPosition { get; set; }
    public override Size WindowSize { get => new(_buffer.Width, 50); set { } }
    public override string WindowTitle { get; set; }
    public override void FlushInputBuffer() { }
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException($"{WindowTitle} is not interactive");
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
}

/// <summary>Plain text from formatter output: the formatter colours table headers even when output is not a terminal.</summary>
internal static class AnsiText
{
    private static readonly Regex Escape = new(@"\x1b\[[0-9;?]*[ -/]*[@-~]", RegexOptions.Compiled);

    public static string Strip(string s) => s.IndexOf('\x1b') >= 0 ? Escape.Replace(s, string.Empty) : s;
}
