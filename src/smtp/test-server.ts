// The test harness for SMTP tests (its smtp, submission and submissions listeners), plus helpers
// to read what was delivered.
import type { Store } from "../store/types.js";
import { startTestServer, type TestServer, type TestServerOptions } from "../testing/harness.js";

export async function startSmtpTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer(opts);
}

/** Bodies in an account's INBOX, oldest first. */
export async function inbox(store: Store, accountId: number): Promise<Buffer[]> {
  const box = await store.mail.getMailbox(accountId, "INBOX");
  if (!box) throw new Error(`no INBOX for account ${accountId}`);
  const metas = await store.mail.listMessages(box.id);
  return Promise.all(metas.map((m) => store.mail.readBody(m.blobId)));
}

/** Split a delivered message into its trace fields (Return-Path, Received) and the rest. */
export function splitTrace(body: Buffer): { trace: string; rest: Buffer } {
  const text = body.toString("latin1");
  const m = /^Return-Path: [^\r\n]*\r\nReceived: [^\r\n]*(?:\r\n\t[^\r\n]*)*\r\n/.exec(text);
  if (!m) throw new Error(`no trace fields at the top of: ${JSON.stringify(text.slice(0, 300))}`);
  const end = m[0].length; // latin1: one character per byte
  return { trace: body.subarray(0, end).toString("utf8"), rest: body.subarray(end) };
}
