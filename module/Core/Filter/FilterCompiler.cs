using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Fw.Core.Filter
{
    /// <summary>
    /// Compiles a -Filter script block (or its text) into a native filter expression: the Where-Object form
    /// (`$_.DestinationPort -eq 49154`, `$PSItem.X`) and the bare-name form of the ActiveDirectory module's
    /// -Filter (`DestinationPort -eq 49154`). Supported: properties of Fw.FwDrop that come from the log line;
    /// -eq -ne -lt -le -gt -ge -like -notlike -in -notin -contains -notcontains (and their -i/-c forms), -and -or
    /// -not !, parentheses, constants, arrays, casts of constants, and variables of the caller's scope (read
    /// once, when the command starts). Anything else is a <see cref="FilterException"/> naming the construct
    /// and its position: a filter is pushed down whole or not at all.
    /// </summary>
    internal sealed class FilterCompiler
    {
        private readonly SessionState _state;
        private readonly FilterLeaves _leaves = new FilterLeaves();

        private FilterCompiler(SessionState state) => _state = state;

        /// <summary>A ScriptBlock or a string (anything else: its string form).</summary>
        internal static FilterNode Compile(object filter, SessionState state)
        {
            if (filter is PSObject pso) filter = pso.BaseObject;
            ScriptBlockAst ast;
            if (filter is ScriptBlock block)
            {
                ast = (ScriptBlockAst)block.Ast;
            }
            else
            {
                string text = filter as string ?? Convert.ToString(filter, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                ast = Parser.ParseInput(text, out _, out ParseError[] errors);
                if (errors.Length > 0)
                {
                    var e = errors[0];
                    throw new FilterException($"-Filter is not a valid PowerShell expression: {e.Message} (line {e.Extent.StartLineNumber}, column {e.Extent.StartColumnNumber})");
                }
            }
            return new FilterCompiler(state).ScriptBlock(ast);
        }

        private FilterNode ScriptBlock(ScriptBlockAst sb)
        {
            if (sb.ParamBlock != null) throw FilterException.At(sb.ParamBlock, "a param() block is not a filter");
            if (sb.BeginBlock != null || sb.ProcessBlock != null || sb.DynamicParamBlock != null)
                throw FilterException.At(sb, "begin/process/dynamicparam blocks are not a filter");
            var statements = sb.EndBlock?.Statements;
            if (statements == null || statements.Count == 0) throw new FilterException("-Filter is empty: give a condition such as { $_.DestinationPort -eq 445 }");
            if (statements.Count > 1) throw FilterException.At(statements[1], "-Filter takes one expression; this is a second statement");
            return Statement(statements[0]);
        }

        private FilterNode Statement(StatementAst s)
        {
            if (s is PipelineAst p && p.PipelineElements.Count == 1)
            {
                var element = p.PipelineElements[0];
                if (element is CommandExpressionAst ce && ce.Redirections.Count == 0) return Expression(ce.Expression);
                if (element is CommandAst ca) return new BareForm(this, ca).Parse();
            }
            if (s is PipelineAst pipe && pipe.PipelineElements.Count > 1) throw FilterException.At(s, "a pipeline is not supported");
            throw FilterException.At(s, $"a {Describe(s)} is not supported");
        }

        private FilterNode Expression(ExpressionAst e)
        {
            switch (e)
            {
                case BinaryExpressionAst b when b.Operator == TokenKind.And || b.Operator == TokenKind.Or:
                    return FilterNodes.Logic(b.Operator == TokenKind.And, new[] { Expression(b.Left), Expression(b.Right) });
                case BinaryExpressionAst b:
                    return Compare(b.Left, b.ErrorPosition.Text, b.Right, Where(b.Extent, b.Extent), bare: false);
                case UnaryExpressionAst u when u.TokenKind == TokenKind.Not || u.TokenKind == TokenKind.Exclaim:
                    return FilterNodes.Not(Expression(u.Child));
                case UnaryExpressionAst u:
                    throw FilterException.At(u, $"the operator {TokenTraits.Text(u.TokenKind)} is not supported");
                case ParenExpressionAst p:
                    return Statement(p.Pipeline);
                default:
                    throw FilterException.At(e, $"a {Describe(e)} on its own is not a condition (compare it: -eq, -like, -in ...)");
            }
        }

        private static readonly HashSet<string> Comparisons = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "eq", "ne", "lt", "le", "gt", "ge", "like", "notlike", "in", "notin", "contains", "notcontains",
        };

        /// <summary>`left op right` where one side is a property and the other a constant.</summary>
        private static string Where(IScriptExtent first, IScriptExtent last)
        {
            string text = first.Text;
            if (!ReferenceEquals(first, last))
            {
                string script = first.StartScriptPosition.GetFullScript() ?? "";
                int from = first.StartOffset, to = last.EndOffset;
                text = from >= 0 && to <= script.Length && to > from ? script.Substring(from, to - from) : first.Text + " ... " + last.Text;
            }
            return $"'{Clip(text)}' at line {first.StartLineNumber}, column {first.StartColumnNumber}";
        }

        private FilterNode Compare(Ast left, string opText, Ast right, string where, bool bare)
        {
            string name = opText.TrimStart('-').ToLowerInvariant();
            bool caseSensitive = false;
            if (!Comparisons.Contains(name) && name.Length > 1 && (name[0] == 'i' || name[0] == 'c') && Comparisons.Contains(name.Substring(1)))
            {
                caseSensitive = name[0] == 'c';
                name = name.Substring(1);
            }
            if (!Comparisons.Contains(name))
            {
                string hint = name.EndsWith("match", StringComparison.Ordinal) ? " (regular expressions are not pushed down; use -like)" : "";
                throw new FilterException($"{where}: the operator {opText} is not supported{hint}");
            }
            var lf = Property(left, bare);
            var rf = Property(right, bare);
            if (lf != null && rf != null) throw new FilterException($"{where}: comparing two properties is not supported");
            if (lf == null && rf == null) throw new FilterException($"{where}: a comparison without a property of the record");
            bool propertyLeft = lf != null;
            object? constant = Value(propertyLeft ? right : left, bare);
            try
            {
                return _leaves.Compare((lf ?? rf)!, propertyLeft, name, caseSensitive, constant, where);
            }
            catch (FilterException e) when (!e.Message.StartsWith("'", StringComparison.Ordinal))
            {
                throw new FilterException($"{where}: {e.Message}");
            }
        }

        private static string Clip(string s) => s.Length > 60 ? s.Substring(0, 57) + "..." : s;

        /// <summary>The field when the expression is `$_.Name`, `$PSItem.Name` or (bare form) `Name`; else null.</summary>
        private static FilterField? Property(Ast ast, bool bare)
        {
            while (ast is ParenExpressionAst p && p.Pipeline is PipelineAst pl && pl.PipelineElements.Count == 1 &&
                   pl.PipelineElements[0] is CommandExpressionAst ce && ce.Expression is MemberExpressionAst)
                ast = ce.Expression;
            string? name = null;
            if (ast is InvokeMemberExpressionAst call)
                throw FilterException.At(call, "a method call is not supported");
            if (ast is MemberExpressionAst m && !m.Static && m.Expression is VariableExpressionAst v && IsRecord(v))
            {
                if (!(m.Member is StringConstantExpressionAst member)) throw FilterException.At(m.Member, "a computed property name is not supported");
                name = member.Value;
            }
            else if (ast is MemberExpressionAst nested && nested.Expression is MemberExpressionAst inner &&
                     inner.Expression is VariableExpressionAst rv && IsRecord(rv))
            {
                throw FilterException.At(nested, "a property of a property is not supported");
            }
            else if (bare && ast is StringConstantExpressionAst s && s.StringConstantType == StringConstantType.BareWord &&
                     FilterField.Find(s.Value, out _) != null)
            {
                name = s.Value;
            }
            if (name == null) return null;
            var field = FilterField.Find(name, out string? reason);
            if (field == null) throw FilterException.At(ast, $"{reason}; -Filter takes the properties that come from the log line");
            return field;
        }

        private static bool IsRecord(VariableExpressionAst v) =>
            v.VariablePath.IsUnqualified &&
            (v.VariablePath.UserPath == "_" || string.Equals(v.VariablePath.UserPath, "PSItem", StringComparison.OrdinalIgnoreCase));

        /// <summary>A constant: literal, array, cast of a constant, or a variable of the caller's scope.</summary>
        private object? Value(Ast ast, bool bare)
        {
            switch (ast)
            {
                case StringConstantExpressionAst s:
                    return s.Value;
                case ConstantExpressionAst c:
                    return c.Value;
                case ExpandableStringExpressionAst x when x.NestedExpressions.Count == 0:
                    return x.Value;
                case ExpandableStringExpressionAst x:
                    throw FilterException.At(x, "a string with $ expansions is not supported (use a variable on its own or single quotes)");
                case ArrayLiteralAst a:
                    return a.Elements.Select(e => Value(e, bare)).ToArray();
                case ArrayExpressionAst a:
                {
                    var items = new List<object?>();
                    foreach (var st in a.SubExpression.Statements)
                    {
                        if (!(st is PipelineAst pl && pl.PipelineElements.Count == 1 && pl.PipelineElements[0] is CommandExpressionAst ce))
                            throw FilterException.At(st, "@( ) may hold constants only");
                        var v = Value(ce.Expression, bare);
                        if (v is object[] many) items.AddRange(many); else items.Add(v);
                    }
                    return items.ToArray();
                }
                case ParenExpressionAst p when p.Pipeline is PipelineAst pl && pl.PipelineElements.Count == 1 && pl.PipelineElements[0] is CommandExpressionAst ce:
                    return Value(ce.Expression, bare);
                case ParenExpressionAst p when p.Pipeline is PipelineAst pl && pl.PipelineElements.Count == 1:
                    throw FilterException.At(p, $"a {Describe(pl.PipelineElements[0])} is not supported as a value (only constants and variables)");
                case ConvertExpressionAst cv:
                {
                    var type = cv.Type.TypeName.GetReflectionType();
                    if (type == null) throw FilterException.At(cv, $"the type [{cv.Type.TypeName.FullName}] is not known");
                    var inner = Value(cv.Child, bare);
                    try
                    {
                        return Unwrap(LanguagePrimitives.ConvertTo(inner, type, System.Globalization.CultureInfo.InvariantCulture));
                    }
                    catch (Exception e) when (e is PSInvalidCastException || e is InvalidCastException || e is ArgumentException)
                    {
                        throw FilterException.At(cv, $"the cast fails ({e.Message})");
                    }
                }
                case UsingExpressionAst u:
                    return Value(u.SubExpression, bare);
                case VariableExpressionAst v:
                {
                    if (IsRecord(v)) throw FilterException.At(v, "the whole record is not a value; use one of its properties");
                    var variable = _state.PSVariable.Get(v.VariablePath.UserPath);
                    if (variable == null) throw FilterException.At(v, $"the variable ${v.VariablePath.UserPath} is not defined");
                    return Unwrap(variable.Value);
                }
                default:
                    throw FilterException.At(ast, $"a {Describe(ast)} is not supported as a value (only constants and variables)");
            }
        }

        /// <summary>What a variable holds, as the comparison sees it: lists as object[], PSObjects unwrapped.</summary>
        private static object? Unwrap(object? v)
        {
            if (v is PSObject pso && !(pso.BaseObject is PSCustomObject)) v = pso.BaseObject;
            if (v is string || v == null) return v;
            if (v is IDictionary) return v;
            if (v is IEnumerable list) return list.Cast<object?>().Select(Unwrap).ToArray();
            return v;
        }

        private static string Describe(Ast ast) => ast switch
        {
            CommandAst c => $"command call ({c.GetCommandName() ?? "a command"})",
            InvokeMemberExpressionAst _ => "method call",
            ScriptBlockExpressionAst _ => "script block",
            SubExpressionAst _ => "$( ) subexpression",
            IndexExpressionAst _ => "index expression",
            HashtableAst _ => "hashtable",
            AssignmentStatementAst _ => "assignment",
            IfStatementAst _ => "if statement",
            PipelineAst _ => "pipeline",
            _ => ast.GetType().Name.Replace("Ast", "").Replace("Expression", " expression").Replace("Statement", " statement").ToLowerInvariant().Trim(),
        };

        /// <summary>
        /// The bare-name form: `DestinationPort -eq 49154 -and Protocol -eq UDP` parses as a command whose name
        /// is a property. Its elements are read as operands and operators: -and/-or left to right (as in
        /// PowerShell), -not before a parenthesised condition.
        /// </summary>
        private sealed class BareForm
        {
            private readonly FilterCompiler _c;
            private readonly CommandAst _command;
            private readonly List<CommandElementAst> _items;
            private int _at;

            internal BareForm(FilterCompiler c, CommandAst command)
            {
                _c = c;
                _command = command;
                _items = command.CommandElements.ToList();
            }

            internal FilterNode Parse()
            {
                if (_command.InvocationOperator != TokenKind.Unknown || _command.Redirections.Count > 0 ||
                    !(_items[0] is StringConstantExpressionAst first && first.StringConstantType == StringConstantType.BareWord))
                    throw FilterException.At(_command, $"a {Describe(_command)} is not supported");
                if (FilterField.Find(first.Value, out string? reason) == null)
                {
                    bool property = typeof(FwDrop).GetProperty(first.Value, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase) != null;
                    throw FilterException.At(first, property ? $"{reason}; -Filter takes the properties that come from the log line"
                                                             : $"'{first.Value}' is neither a property of Fw.FwDrop nor supported (a command call?)");
                }
                var node = Or();
                if (_at < _items.Count) throw FilterException.At(_items[_at], "unexpected here");
                return node;
            }

            private bool AtOperator(out string name)
            {
                name = "";
                if (_at < _items.Count && _items[_at] is CommandParameterAst p)
                {
                    if (p.Argument != null) throw FilterException.At(p, "an operator with a colon argument is not supported");
                    name = p.ParameterName.ToLowerInvariant();
                    return true;
                }
                return false;
            }

            private FilterNode Or()
            {
                var node = Unary();
                while (AtOperator(out string op) && (op == "and" || op == "or"))
                {
                    _at++;
                    node = FilterNodes.Logic(op == "and", new[] { node, Unary() });
                }
                return node;
            }

            private FilterNode Unary()
            {
                if (AtOperator(out string op) && op == "not")
                {
                    var not = _items[_at++];
                    if (_at >= _items.Count || !(_items[_at] is ParenExpressionAst))
                        throw FilterException.At(not, "in the bare-name form write -not ( ... ): PowerShell would negate only the next operand");
                    return FilterNodes.Not(_c.Statement(((ParenExpressionAst)_items[_at++]).Pipeline));
                }
                if (_at >= _items.Count) throw FilterException.At(_items[_items.Count - 1], "a condition is missing after this");
                var left = _items[_at++];
                if (left is CommandParameterAst stray) throw FilterException.At(stray, $"-{stray.ParameterName} has no left operand");
                if (AtOperator(out string cmp) && cmp != "and" && cmp != "or")
                {
                    var opAst = _items[_at++];
                    if (_at >= _items.Count || _items[_at] is CommandParameterAst)
                        throw FilterException.At(opAst, "the operator has no right operand");
                    var right = _items[_at++];
                    return _c.Compare(left, "-" + cmp, right, Where(left.Extent, right.Extent), bare: true);
                }
                if (left is ParenExpressionAst paren) return _c.Statement(paren.Pipeline);
                throw FilterException.At(left, "a value on its own is not a condition (compare it: -eq, -like, -in ...)");
            }
        }
    }
}
