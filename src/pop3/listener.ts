// One POP3 listener (tls "none", "starttls" = port 110 with STLS, "implicit" = port 995):
// accepts TCP connections within the connection limits and runs a Session on each.
import type { ListenerConfig } from "../config/schema.js";
import type { AppContext, RunningListener } from "../server/context.js";
import { startSessionListener } from "../server/session-listener.js";
import { Session } from "./session.js";

export function startPop3Listener(listener: ListenerConfig, ctx: AppContext): Promise<RunningListener> {
  const cfg = ctx.config.pop3;
  return startSessionListener({
    listener,
    logins: ctx.store.webSessions,
    metrics: ctx.metrics,
    log: ctx.log.child({ proto: "pop3", tls: listener.tls }),
    // Per IP only sessions not logged in yet; no per-account cap: the maildrop lock allows one.
    limits: {
      maxTotal: cfg.maxConnections,
      maxPerIp: cfg.maxConnectionsPerIp,
      exempt: ctx.config.server.connectionLimitExemptIps,
    },
    proxy: ctx.config.proxy,
    refusal: "-ERR [SYS/TEMP] too many connections, try again later\r\n",
    session: (conn) => new Session({ ...conn, listener, ctx }),
  });
}
