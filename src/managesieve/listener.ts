// One ManageSieve listener (RFC 5804: port 4190, tls "starttls"; "none" for a trusted LAN, or
// "implicit"): accepts TCP connections within the connection limits and runs a Session on each.
import type { ListenerConfig } from "../config/schema.js";
import type { AppContext, RunningListener } from "../server/context.js";
import { startSessionListener } from "../server/session-listener.js";
import { Session } from "./session.js";

export function startManageSieveListener(
  listener: ListenerConfig,
  ctx: AppContext,
): Promise<RunningListener> {
  const cfg = ctx.config.managesieve;
  return startSessionListener({
    listener,
    logins: ctx.store.webSessions,
    metrics: ctx.metrics,
    log: ctx.log.child({ proto: "managesieve", tls: listener.tls }),
    limits: {
      maxTotal: cfg.maxConnections,
      maxPerIp: cfg.maxConnectionsPerIp,
      maxPerUserIp: cfg.maxConnectionsPerUserIp,
      exempt: ctx.config.server.connectionLimitExemptIps,
    },
    proxy: ctx.config.proxy,
    refusal: 'BYE (TRYLATER) "too many connections, try again later"\r\n',
    session: (conn) => new Session({ ...conn, listener, ctx }),
  });
}
