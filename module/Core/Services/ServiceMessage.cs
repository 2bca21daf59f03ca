using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace Fw.Core.Services
{
    /// <summary>What a service reports besides its results: an error (with its id from <see cref="ErrorIds"/>), a
    /// warning or a verbose line. Services return these as data; the cmdlet writes them, in order.</summary>
    internal enum ServiceMessageKind
    {
        Error,
        Warning,
        Verbose,
    }

    /// <summary>One message from a service, as data (no Cmdlet involved).</summary>
    internal sealed class ServiceMessage
    {
        private ServiceMessage(ServiceMessageKind kind, string text, string? id, ErrorCategory category, Exception? exception, object? target)
        {
            Kind = kind;
            Text = text;
            Id = id;
            Category = category;
            Exception = exception;
            Target = target;
        }

        internal ServiceMessageKind Kind { get; }
        /// <summary>The warning or verbose sentence; for an error, the exception's message.</summary>
        internal string Text { get; }
        /// <summary>The error id (an <see cref="ErrorIds"/> constant); null for warnings and verbose lines.</summary>
        internal string? Id { get; }
        internal ErrorCategory Category { get; }
        internal Exception? Exception { get; }
        internal object? Target { get; }
        /// <summary>ErrorDetails for the record, when the message the user should read is not the exception's.</summary>
        internal string? Details { get; private set; }

        internal static ServiceMessage Error(string id, Exception exception, ErrorCategory category, object? target, string? details = null) =>
            new ServiceMessage(ServiceMessageKind.Error, exception.Message, id, category, exception, target) { Details = details };

        internal static ServiceMessage Warning(string text) =>
            new ServiceMessage(ServiceMessageKind.Warning, text, null, ErrorCategory.NotSpecified, null, null);

        internal static ServiceMessage Verbose(string text) =>
            new ServiceMessage(ServiceMessageKind.Verbose, text, null, ErrorCategory.NotSpecified, null, null);

        /// <summary>The error record a cmdlet writes (or throws) for an error message.</summary>
        internal ErrorRecord ToErrorRecord()
        {
            if (Kind != ServiceMessageKind.Error || Id == null || Exception == null)
                throw new InvalidOperationException("Only an error message becomes an error record: " + this);
            var record = new ErrorRecord(Exception, Id, Category, Target);
            if (Details != null) record.ErrorDetails = new ErrorDetails(Details);
            return record;
        }

        public override string ToString() => Kind + (Id != null ? " " + Id : "") + ": " + Text;
    }

    /// <summary>A service's terminating error: the cmdlet throws <see cref="Message"/>'s record with ThrowTerminatingError.</summary>
    internal sealed class ServiceException : Exception
    {
        internal ServiceException(ServiceMessage message) : base(message.Text, message.Exception)
        {
            Error = message;
        }

        /// <summary>The error to throw, with its id.</summary>
        internal ServiceMessage Error { get; }

        internal static ServiceException Of(string id, Exception exception, ErrorCategory category, object? target, string? details = null) =>
            new ServiceException(ServiceMessage.Error(id, exception, category, target, details));
    }

    /// <summary>An ordered list of service messages, shared by the services.</summary>
    internal sealed class ServiceMessages
    {
        private List<ServiceMessage>? _list;

        internal void Add(ServiceMessage m) => (_list ??= new List<ServiceMessage>()).Add(m);
        internal void Warning(string text) => Add(ServiceMessage.Warning(text));
        internal void Verbose(string text) => Add(ServiceMessage.Verbose(text));
        internal void Error(string id, Exception exception, ErrorCategory category, object? target) =>
            Add(ServiceMessage.Error(id, exception, category, target));

        /// <summary>The messages so far, emptied: a cmdlet takes them after each call.</summary>
        internal IReadOnlyList<ServiceMessage> Take()
        {
            if (_list == null || _list.Count == 0) return Array.Empty<ServiceMessage>();
            var taken = _list;
            _list = null;
            return taken;
        }
    }
}
