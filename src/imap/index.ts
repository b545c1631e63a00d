// IMAP4 server (RFC 9051, RFC 3501) for Yubin: `startImapListener` is the ListenerFactory for the
// "imap" protocol. tls "starttls" is the port-143 style (STARTTLS offered, LOGINDISABLED until
// then unless allowPlaintextAuth), "implicit" the port-993 style, "none" plaintext only.
import { createServer, type Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { defaultsOf } from "../config/dsl.js";
import type { ListenerFactory, RunningListener } from "../server/context.js";
import { imapSection } from "./config.js";
import { ImapConnection } from "./connection.js";
import type { ImapConfig } from "./session/session.js";

export { imapSection } from "./config.js";

let connectionIds = 0;

function imapConfigOf(ctx: Parameters<ListenerFactory>[1]): ImapConfig {
  // The lead adds [imap] to the schema; until then the defaults apply.
  const fromConfig = (ctx.config as unknown as { imap?: Partial<ImapConfig> }).imap ?? {};
  return { ...defaultsOf(imapSection), ...fromConfig };
}

export const startImapListener: ListenerFactory = async (listener, ctx) => {
  const config = imapConfigOf(ctx);
  const log = ctx.log.child({ proto: "imap" });
  const connections = new Set<ImapConnection>();
  let closing = false;

  const server = createServer((raw: Socket) => {
    if (closing || connections.size >= config.maxConnections) {
      raw.end("* BYE Too many connections\r\n");
      return;
    }
    raw.setNoDelay(true);
    const conn = (socket: Socket) => {
      const c = new ImapConnection(
        socket,
        listener,
        ctx,
        config,
        log.child({ conn: ++connectionIds, ip: raw.remoteAddress }),
      );
      connections.add(c);
      c.onClose(() => connections.delete(c));
      c.start();
    };
    if (listener.tls !== "implicit") {
      conn(raw);
      return;
    }
    const secure = new TLSSocket(raw, { isServer: true, secureContext: ctx.tls.context() });
    // A client that never completes the handshake is dropped at the pre-login timeout.
    const timer = setTimeout(() => secure.destroy(), config.preAuthTimeoutSec * 1000);
    secure.once("secure", () => {
      clearTimeout(timer);
      conn(secure);
    });
    secure.on("error", () => secure.destroy());
    secure.once("close", () => clearTimeout(timer));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listener.port, listener.address, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : listener.port;

  const running: RunningListener = {
    listener,
    port,
    async close(graceMs) {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const c of connections) if (!c.busy) c.shutdown();
      const deadline = Date.now() + graceMs;
      while (connections.size > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        for (const c of connections) if (!c.busy) c.shutdown();
      }
      for (const c of connections) c.destroy();
      await stopped;
    },
  };
  return running;
};
