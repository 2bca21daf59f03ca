using System.Text;

namespace Fw.Core
{
    /// <summary>
    /// Quoting for generated PowerShell: every value becomes a single-quoted verbatim string, in which
    /// nothing is expanded ($, $(...), backtick, double quotes and semicolons are plain characters).
    /// The only character that ends such a string is a single quote - and PowerShell treats the
    /// typographic single quotes U+2018, U+2019, U+201A and U+201B as single quotes too - so each of
    /// them is doubled, which the tokenizer reads back as one literal character.
    /// </summary>
    public static class ScriptQuoting
    {
        /// <summary>True for every character PowerShell's tokenizer treats as a single quote.</summary>
        public static bool IsSingleQuote(char c) =>
            c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B';

        /// <summary>The value as a single-quoted PowerShell string literal.</summary>
        public static string Quote(string? value)
        {
            value ??= string.Empty;
            var sb = new StringBuilder(value.Length + 2);
            sb.Append('\'');
            foreach (char c in value)
            {
                if (IsSingleQuote(c)) sb.Append(c);
                sb.Append(c);
            }
            sb.Append('\'');
            return sb.ToString();
        }

        /// <summary>
        /// Text for a '#' comment line: line breaks (CR, LF, NEL, LS, PS) and other control characters become spaces,
        /// so no value can end the comment and start a command.
        /// </summary>
        public static string CommentText(string? value)
        {
            value ??= string.Empty;
            var sb = new StringBuilder(value.Length);
            foreach (char c in value)
                sb.Append(char.IsControl(c) || c == '\u0085' || c == '\u2028' || c == '\u2029' ? ' ' : c);
            return sb.ToString();
        }

        /// <summary>Several values as a comma-separated array of single-quoted literals ('a','b').</summary>
        public static string QuoteList(System.Collections.Generic.IEnumerable<string> values)
        {
            var sb = new StringBuilder();
            foreach (var v in values)
            {
                if (sb.Length > 0) sb.Append(',');
                sb.Append(Quote(v));
            }
            return sb.Length == 0 ? Quote(string.Empty) : sb.ToString();
        }
    }
}
