// What one node does ([server] roles): which of the configured listeners it starts and whether it
// works the outbound queue. Several nodes on one store split the work this way (MX and submission
// on one, IMAP and POP3 on another, web and delivery on a third); every node still files and
// queues mail whatever door it came in by, and a node without "delivery" never claims the queue.
import type { Config, ListenerConfig, Protocol, ServerRole } from "../config/schema.js";

/** The role that starts each listener protocol: port 25's smtp listeners are the MX. */
export const roleOfProtocol: Readonly<Record<Protocol, ServerRole>> = {
  smtp: "mx",
  submission: "submission",
  pop3: "pop3",
  imap: "imap",
  managesieve: "managesieve",
  http: "http",
};

export function hasRole(config: Config, role: ServerRole): boolean {
  return config.server.roles.includes(role);
}

/** The configured listeners this node starts. */
export function listenersForRoles(config: Config): ListenerConfig[] {
  return config.listeners.filter((l) => hasRole(config, roleOfProtocol[l.protocol]));
}

/** Whether this node runs the outbound delivery engine: the delivery role and [outbound] enabled. */
export function runsDelivery(config: Config): boolean {
  return config.outbound.enabled && hasRole(config, "delivery");
}
