// One SMTP listener (inbound MX or submission, with tls none / starttls / implicit): accepts
// TCP connections, applies the connection limits and runs a Session on each.
import type { ListenerConfig } from "../config/schema.js";
import type { AppContext, RunningListener } from "../server/context.js";
import { startSessionListener } from "../server/session-listener.js";
import { replies } from "./replies.js";
import { Session } from "./session.js";
import { formatReply } from "./wire/reply.js";

export function startSmtpListener(listener: ListenerConfig, ctx: AppContext): Promise<RunningListener> {
  const cfg = ctx.config.smtp;
  return startSessionListener({
    listener,
    logins: ctx.store.webSessions,
    metrics: ctx.metrics,
    log: ctx.log.child({ proto: listener.protocol, tls: listener.tls }),
    // Per IP only connections not authenticated yet (all of them on port 25, where nobody logs
    // in); after AUTH, per account and IP.
    limits: {
      maxTotal: cfg.maxConnections,
      maxPerIp: cfg.maxConnectionsPerIp,
      maxPerUserIp: cfg.maxConnectionsPerUserIp,
      exempt: ctx.config.server.connectionLimitExemptIps,
    },
    proxy: ctx.config.proxy,
    refusal: formatReply(replies.tooManyConnections()),
    session: (conn) => new Session({ ...conn, listener, ctx }),
  });
}
