// Shared by the outbound tests: waiting with a bound, reading an INBOX from the store, the
// [outbound] settings that make retries take milliseconds, and submission as a real client.
import nodemailer from "nodemailer";
import type { DnsServer } from "../testing/dns-server.js";
import { type TestServer, testPassword } from "../testing/harness.js";

/** Polls `fn` every 25 ms until it returns something truthy; throws after `ms` (by default a
 *  bound for a stuck test, not a speed requirement: a loaded 2-core CI machine is slow). */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function inboxBodies(s: TestServer, address: string): Promise<Buffer[]> {
  const acct = await s.store.directory.getAccountByAddress(address);
  if (!acct) throw new Error(`no account ${address}`);
  const box = await s.store.mail.getMailbox(acct.id, "INBOX");
  if (!box) throw new Error(`no INBOX for ${address}`);
  const list = await s.store.mail.listMessages(box.id);
  return Promise.all(list.map((m) => s.store.mail.readBody(m.blobId)));
}

/** Config overrides for an instance whose engine delivers to `port` with short timers. */
export function outboundConfig(
  dns: DnsServer,
  port: number,
  extra: Record<string, unknown> = {},
): Record<string, Record<string, unknown>> {
  return {
    outbound: {
      enabled: true,
      port,
      pollIntervalMs: 50,
      retryBaseMs: 150,
      retryFactor: 1,
      idleKeepMs: 200,
      connectTimeoutMs: 2000,
      greetingTimeoutMs: 2000,
      socketTimeoutMs: 5000,
      ...extra,
    },
    // The zone server answers every query at once; a query is short of time only when the
    // process waits for a core, and one lost to 500 ms and a single try was a failed attempt with
    // another last error than the test's (dmarc-send.test.ts met it under load).
    dns: { servers: dns.servers, timeoutMs: 10_000, tries: 2 },
  };
}

/** Submits one message as `from` over implicit TLS (port 465 equivalent) with AUTH. */
export async function submit(
  s: TestServer,
  opts: { from: string; to: string[]; subject: string; password?: string },
): Promise<void> {
  const t = nodemailer.createTransport({
    host: "127.0.0.1",
    port: s.ports.submissions,
    secure: true,
    tls: { rejectUnauthorized: false },
    auth: { user: opts.from, pass: opts.password ?? testPassword },
  });
  try {
    await t.sendMail({
      from: opts.from,
      to: opts.to,
      subject: opts.subject,
      text: `body of ${opts.subject}`,
    });
  } finally {
    t.close();
  }
}
