// A connection's logger: the listener's logger plus this connection's fields (conn id, ip).
// Logger.child() would build a new logger of six closures per connection; under tsx each named
// closure also carries a "name" property of its own, so that came to ~2 KiB per idle connection
// (bench/imap.ts phase 3). This class keeps the connection's id and address (the fields object is
// made only when something is logged) and its methods on the prototype, and writes exactly what
// child() would: the parent's fields, then these, then the call's.
import type { LogFields, Logger } from "../log/logger.js";

export class ConnectionLogger implements Logger {
  constructor(
    private readonly parent: Logger,
    readonly conn: number,
    private readonly ip: string | undefined,
  ) {}

  private with(f: LogFields | undefined): LogFields {
    return { conn: this.conn, ip: this.ip, ...f };
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
    return this.parent.child(this.with(f));
  }
}
