// A connection's logger: the listener's logger plus this connection's fields (conn id, ip).
// Logger.child() would build a new logger of six closures per connection; under tsx each named
// closure also carries a "name" property of its own, so that came to ~2 KiB per idle connection
// (bench/imap.ts phase 3). This is a FieldsLogger (src/log/fields-logger.ts: methods on the
// prototype, fields merged when a line is written, children flattened into one merge) that keeps
// only the connection's id and address and makes its fields object when something is logged. It
// writes exactly what child() would: the parent's fields, then these, then the call's.
import { FieldsLogger } from "../log/fields-logger.js";
import type { LogFields, Logger } from "../log/logger.js";

const NONE: LogFields = Object.freeze({});

export class ConnectionLogger extends FieldsLogger {
  constructor(
    parent: Logger,
    readonly conn: number,
    private readonly ip: string | undefined,
  ) {
    super(parent, NONE);
  }

  protected override fields(): LogFields {
    return { conn: this.conn, ip: this.ip };
  }
}
