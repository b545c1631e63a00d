// The test harness for SMTP tests (its smtp, submission and submissions listeners), plus helpers
// to read what was delivered.
import { startTestServer, type TestServer, type TestServerOptions } from "../testing/harness.js";

export async function startSmtpTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer(opts);
}

export { inbox } from "../testing/mailbox.js";

/** Split a delivered message into its trace fields (Return-Path, Received) and the rest. */
export function splitTrace(body: Buffer): { trace: string; rest: Buffer } {
  const text = body.toString("latin1");
  const m = /^Return-Path: [^\r\n]*\r\nReceived: [^\r\n]*(?:\r\n\t[^\r\n]*)*\r\n/.exec(text);
  if (!m) throw new Error(`no trace fields at the top of: ${JSON.stringify(text.slice(0, 300))}`);
  const end = m[0].length; // latin1: one character per byte
  return { trace: body.subarray(0, end).toString("utf8"), rest: body.subarray(end) };
}
