// A logger that adds fields to every line of its parent's, for what is made per connection or per
// message (an SMTP session, a letter in the post office). Logger.child() builds a new logger of
// nine closures (createLogger's five, recordingLogger's four) and merges the fields twice; under
// tsx, whose esbuild transform keeps function names, each named closure also costs an
// Object.defineProperty of its "name". An SMTP delivery made two such children (the session's,
// the letter's): 18 closures per message. Here the methods are on the prototype and the fields are
// merged only when a line is written.
//
// What is written is exactly what parent.child(fields) would write: for createLogger and
// recordingLogger, child(f).info(m, g) and info(m, {...f, ...g}) give the same line (the parent's
// own fields first, then f, then g) and the same recent-errors entry.
//
// An IMAP connection's logger (src/imap/conn-log.ts) is a subclass that makes its fields only
// when a line is written, so an idle connection holds no fields object.
import type { LogFields, Logger } from "./logger.js";

export class FieldsLogger implements Logger {
  protected constructor(
    private readonly parent: Logger,
    private readonly own: LogFields,
  ) {}

  /** `parent` with `fields` added to every line; a FieldsLogger's own parent is reused, so a
   *  child of a child still writes through one merge. */
  static of(parent: Logger, fields: LogFields): Logger {
    if (parent instanceof FieldsLogger)
      return new FieldsLogger(parent.parent, { ...parent.fields(), ...fields });
    return new FieldsLogger(parent, fields);
  }

  /** The fields added to every line (a subclass may make them on demand). */
  protected fields(): LogFields {
    return this.own;
  }

  private with(f: LogFields | undefined): LogFields {
    return f === undefined ? this.fields() : { ...this.fields(), ...f };
  }

  debug(msg: string, f?: LogFields): void {
    this.parent.debug(msg, this.with(f));
  }

  info(msg: string, f?: LogFields): void {
    this.parent.info(msg, this.with(f));
  }

  warn(msg: string, f?: LogFields): void {
    this.parent.warn(msg, this.with(f));
  }

  error(msg: string, f?: LogFields): void {
    this.parent.error(msg, this.with(f));
  }

  child(f: LogFields): Logger {
    return FieldsLogger.of(this, f);
  }
}
