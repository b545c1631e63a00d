// Which listener factory serves which protocol. A protocol missing here cannot be configured:
// the app refuses to start rather than advertise a port that does nothing.
import type { Protocol } from "../config/schema.js";
import { startHttpListener } from "../http/server.js";
import { startImapListener } from "../imap/index.js";
import { startPop3Listener } from "../pop3/index.js";
import { startSmtpListener } from "../smtp/index.js";
import type { ListenerFactory } from "./context.js";

export const listenerFactories: Partial<Record<Protocol, ListenerFactory>> = {
  smtp: startSmtpListener,
  submission: startSmtpListener,
  pop3: startPop3Listener,
  imap: startImapListener,
  http: startHttpListener,
};
