// Which listener serves which protocol. The table is complete (a Record over every protocol the
// config accepts), so the compiler refuses a protocol that can be configured but is not served.
import type { Protocol } from "../config/schema.js";
import { httpListenerFactory } from "../http/server.js";
import { startImapListener } from "../imap/index.js";
import { startManageSieveListener } from "../managesieve/index.js";
import { startPop3Listener } from "../pop3/index.js";
import type { ListenerFactory } from "../server/context.js";
import { startSmtpListener } from "../smtp/index.js";
import { webAppFor } from "./web.js";

export const listenerFactories: Readonly<Record<Protocol, ListenerFactory>> = {
  smtp: startSmtpListener,
  submission: startSmtpListener,
  pop3: startPop3Listener,
  imap: startImapListener,
  managesieve: startManageSieveListener,
  http: httpListenerFactory(webAppFor),
};
