// [smtp] section of the config file: every limit of the SMTP server (inbound MX, submission).
import { bool, int, oneOf } from "../config/dsl.js";

export const smtpSection = {
  maxMessageSize: int(25 * 1024 * 1024, "Largest message accepted, in octets (SIZE, RFC 1870).", {
    min: 1024,
  }),
  maxRecipients: int(100, "Most recipients per message; more get 452 4.5.3 (RFC 5321 4.5.3.1.8).", {
    min: 1,
  }),
  maxLineLength: int(
    4096,
    "Longest command line (and SASL response line) in octets, CRLF included; longer lines get 500 5.5.2.",
    { min: 512, max: 65536 },
  ),
  maxDataLineLength: int(
    100000,
    "Longest line inside a message in octets; a message with a longer line is refused with 550 5.6.0 (RFC 5322 allows 998).",
    { min: 1000 },
  ),
  bareLineEnds: oneOf(
    ["reject", "normalize"] as const,
    "reject",
    "A bare LF or CR in a message (SMTP smuggling vector). reject: refuse the message with 550 5.6.0. normalize: store it with CRLF. Either way only CRLF.CRLF ends DATA.",
  ),
  nulBytes: oneOf(
    ["reject", "accept"] as const,
    "reject",
    "A NUL octet in a message (DATA or BDAT). No body type we offer allows it (RFC 5322 2.3, RFC 6152 3; only BINARYMIME would, which we do not offer) and many programs cut text at it. reject: refuse the message with 550 5.6.0. accept: store it as received.",
  ),
  allowAddressDisplayNames: bool(
    false,
    'Let users send (over submission and JMAP/webmail) From, Sender, Resent-From or Resent-Sender fields whose display name is another address, as in "bob@example.test" <alice@example.test>; readers are shown the name. false: refused with 550 5.7.1 (SMTP) or forbiddenFrom (JMAP).',
  ),
  maxReceivedHeaders: int(
    50,
    "A message with more Received headers is refused as a mail loop with 554 5.4.6 (RFC 5321 6.3).",
    { min: 5 },
  ),
  maxErrors: int(20, "Failed commands per session before the server replies 421 4.7.0 and disconnects.", {
    min: 1,
  }),
  maxJunkCommands: int(
    100,
    "NOOP, VRFY, EXPN, HELP, RSET and unknown or failed commands per session (Postfix's smtpd_junk_command_limit; the count starts over after an accepted message): one more gets 421 4.7.0 and the connection is closed, so commands that do nothing cannot hold a connection open.",
    { min: 1 },
  ),
  submissionLoginDeadlineSec: int(
    60,
    "Time from connecting to a successful AUTH on submission listeners (587/465); then 421 4.7.0 and the connection is closed, however busy the client keeps it.",
    { min: 1 },
  ),
  maxConnections: int(1000, "Concurrent SMTP connections per listener; more are refused with 421.", {
    min: 1,
  }),
  maxConnectionsPerIp: int(
    20,
    "Concurrent SMTP connections not yet logged in from one IP address per listener (on port 25, where nobody logs in, simply all connections from that IP; 20 is Postfix's default_destination_concurrency_limit, so a well-behaved sending MTA is never refused). A connection that passes AUTH counts against smtp.maxConnectionsPerUserIp instead.",
    { min: 1 },
  ),
  maxConnectionsPerUserIp: int(
    20,
    "Concurrent logged-in submission connections of one account from one IP address per listener (per process); AUTH beyond it gets 454 4.7.0. Mail clients send over one or two connections; 20 leaves room for several devices and scripts behind one address.",
    { min: 1 },
  ),
  commandTimeoutSec: int(
    300,
    "Time a client has to send a complete command line (RFC 5321 4.5.3.2.7); partial lines do not extend it.",
    { min: 1 },
  ),
  dataTimeoutSec: int(180, "Longest pause between two reads while receiving a message (DATA/BDAT).", {
    min: 1,
  }),
  maxSessionSec: int(3600, "Longest lifetime of one SMTP connection, whatever it does.", { min: 10 }),
  inboundStartTls: bool(
    true,
    "Offer STARTTLS on inbound (protocol smtp) listeners configured with tls = none (opportunistic TLS, RFC 3207).",
  ),
  plaintextAuth: oneOf(
    ["never", "loopback", "always"] as const,
    "never",
    "Submission without TLS: offer AUTH on unencrypted connections never, only from 127.0.0.0/8 and ::1, or always (unsafe).",
  ),
};
