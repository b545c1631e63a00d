// [antivirus] section of the config file: ClamAV's clamd, asked over its INSTREAM protocol
// (clamd.ts), for every message a user or another server hands us. Off by default: Yubin does
// not ship clamd; an admin who runs one names its socket here.
import { int, oneOf, str } from "../config/dsl.js";

export const antivirusSection = {
  clamd: str(
    "",
    'Where clamd listens: a unix socket path ("/run/clamav/clamd.ctl") or "host:port" ("127.0.0.1:3310"). Empty: no virus scanning. When set, mail from port 25, submission and JMAP/webmail is scanned before it is filed or queued, and a message with a virus is refused in the dialogue (554 5.7.1), never bounced.',
  ),
  timeoutMs: int(
    30000,
    "Longest a scan may take (connecting, sending and clamd's answer) before it counts as an error (onError).",
    {
      min: 100,
      max: 600000,
    },
  ),
  maxBytes: int(
    25 * 1024 * 1024,
    "Most bytes of a message sent to clamd; keep it at or below clamd's StreamMaxLength (25 MB by default), above which clamd answers an error. A larger message counts as an error (onError), never as clean.",
    { min: 1024 },
  ),
  onError: oneOf(
    ["tempfail", "accept"] as const,
    "tempfail",
    "When clamd cannot answer (down, timeout, its own error): tempfail refuses with 451 4.3.0, so nothing unscanned gets in and the sender retries later (RFC 5321 4.2.5: the client keeps the message); accept lets the message in unscanned (logged).",
  ),
};
