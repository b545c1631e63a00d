// [imap] section of the config file: every limit of the IMAP server (RFC 3501 / RFC 9051).
import { bool, int } from "../config/dsl.js";

export const imapSection = {
  allowPlaintextAuth: bool(
    false,
    "Allow LOGIN and AUTHENTICATE on unencrypted connections (trusted LAN only); otherwise LOGINDISABLED is advertised until STARTTLS.",
  ),
  maxLineBytes: int(
    65536,
    "Longest command line in octets, literals excluded; longer lines get BAD (RFC 7162 4 asks for at least 8192).",
    { min: 1024, max: 16 * 1024 * 1024 },
  ),
  maxLiteralBytes: int(
    64 * 1024,
    "Largest literal in any command other than APPEND; larger ones are refused before they are read.",
    { min: 1024 },
  ),
  appendLimit: int(50 * 1024 * 1024, "Largest message APPEND accepts, in octets (APPENDLIMIT, RFC 7889).", {
    min: 1024,
  }),
  maxAppendMessages: int(
    1000,
    "Messages one MULTIAPPEND command may carry (RFC 3502); together they must also fit in about appendLimit octets.",
    { min: 1, max: 100000 },
  ),
  maxNestingDepth: int(16, "Deepest parenthesis nesting accepted in a command (SEARCH criteria, lists).", {
    min: 2,
    max: 256,
  }),
  maxPipelinedCommands: int(
    64,
    "Commands read ahead of the one running; beyond this the server stops reading the socket.",
    { min: 1, max: 10000 },
  ),
  outputBufferBytes: int(
    256 * 1024,
    "Octets queued to a slow client before the server waits for it to read (FETCH streams message by message).",
    { min: 16 * 1024 },
  ),
  preAuthTimeoutSec: int(60, "Idle time allowed before login.", { min: 1 }),
  loginDeadlineSec: int(
    60,
    "Time from connecting to a successful login; then an unauthenticated connection gets BYE and is closed, however busy (NOOPs do not extend it).",
    { min: 1 },
  ),
  preAuthCommandBytes: int(
    64 * 1024,
    "Largest command before login, its line and literals together; a bigger one gets BYE and the connection is closed without reading it.",
    { min: 1024 },
  ),
  maxListPatternLength: int(
    1024,
    "Longest LIST/LSUB mailbox pattern (reference included), in characters; matching costs name length × pattern length.",
    { min: 16, max: 65536 },
  ),
  idleTimeoutSec: int(
    1800,
    "Autologout timer after login, IDLE included (RFC 9051 5.4: at least 30 minutes).",
    {
      min: 1,
    },
  ),
  maxConnections: int(10000, "Open IMAP connections per listener; more are refused with BYE.", { min: 1 }),
  maxConnectionsPerIp: int(
    50,
    "Open IMAP connections not yet logged in from one IP address per listener; more are refused with BYE. A connection that logs in leaves this count for imap.maxConnectionsPerUserIp, so an office sharing one NAT address is not locked out however many users it has.",
    { min: 1 },
  ),
  maxConnectionsPerUserIp: int(
    20,
    "Logged-in IMAP connections of one account from one IP address per listener (per process). Like Dovecot's mail_max_userip_connections, but twice its default of 10, which one user's desktop client (Thunderbird keeps up to 5 plus IDLE), phone and tablet behind one home address can reach. A login beyond it gets NO [LIMIT].",
    { min: 1 },
  ),
};
