// Test support: a real Yubin (startTestServer) plus IMAP listeners started directly, so each test
// file can choose the [imap] settings and TLS modes it needs.

import { defaultsOf } from "../config/dsl.js";
import type { ListenerConfig, TlsMode } from "../config/schema.js";
import type { RunningListener } from "../server/context.js";
import { startTestServer, type TestServer, type TestServerOptions } from "../testing/harness.js";
import type { ImapConfig } from "./commands/context.js";
import { imapSection } from "./config.js";
import { startImapListener } from "./listener.js";

export interface ImapTestServer {
  server: TestServer;
  /** Port per TLS mode. */
  port: Record<TlsMode, number>;
  deliver(to: string, message: string, opts?: { mailbox?: string; flags?: string[] }): Promise<number>;
  stop(): Promise<void>;
}

export const PASSWORD = "correct horse battery staple";

export async function startImapTestServer(
  opts: { imap?: Partial<ImapConfig>; server?: TestServerOptions } = {},
): Promise<ImapTestServer> {
  const server = await startTestServer(opts.server);
  const imap = { ...defaultsOf(imapSection), ...opts.imap };
  const ctx = { ...server.ctx, config: { ...server.ctx.config, imap } };
  const running: RunningListener[] = [];
  const port = {} as Record<TlsMode, number>;
  try {
    for (const tls of ["none", "starttls", "implicit"] as const) {
      const l: ListenerConfig = { protocol: "imap", address: "127.0.0.1", port: 0, tls };
      const r = await startImapListener(l, ctx);
      running.push(r);
      port[tls] = r.port;
    }
  } catch (e) {
    await Promise.all(running.map((r) => r.close(0)));
    await server.stop();
    throw e;
  }
  return {
    server,
    port,
    async deliver(to, message, o = {}) {
      const user = server.users.find((u) => u.address === to);
      if (!user) throw new Error(`no user ${to}`);
      const mail = server.store.mail;
      const mb = await mail.getMailbox(user.id, o.mailbox ?? "INBOX");
      if (!mb) throw new Error(`no mailbox ${o.mailbox}`);
      const body = Buffer.from(message.replace(/\r?\n/g, "\r\n"));
      const [copy] = await mail.deliver(body, [{ accountId: user.id, mailboxId: mb.id, flags: o.flags }]);
      return copy!.uid;
    },
    async stop() {
      await Promise.all(running.map((r) => r.close(0)));
      await server.stop();
    },
  };
}
