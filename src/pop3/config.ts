// [pop3] section of the config file: every limit of the POP3 server (RFC 1939, 2449, 2595, 5034).
import { bool, int } from "../config/dsl.js";

export const pop3Section = {
  allowPlaintextAuth: bool(
    false,
    "Allow USER/PASS and AUTH on unencrypted connections (trusted LAN only). Otherwise clients must use STLS or the implicit-TLS port (995).",
  ),
  markSeenOnRetr: bool(
    true,
    "Flag a message \\Seen once RETR has sent it whole, so webmail and IMAP show what the POP3 client downloaded (TOP never marks).",
  ),
  maxLineLength: int(
    1024,
    "Longest command line (and SASL response line) in octets, CRLF included. RFC 2449 §4 allows clients 255; longer lines get -ERR.",
    { min: 256, max: 65536 },
  ),
  maxMessages: int(
    100000,
    "Most messages one session shows (the oldest ones); the rest appear in later sessions. Bounds per-session memory.",
    { min: 1 },
  ),
  loginTimeoutSec: int(
    60,
    "Idle time allowed before login (AUTHORIZATION state); then the server says -ERR and closes.",
    { min: 1 },
  ),
  loginDeadlineSec: int(
    60,
    "Time from connecting to a successful login; then the server says -ERR and closes, however busy the client keeps the connection (CAPA does not extend it).",
    { min: 1 },
  ),
  idleTimeoutSec: int(
    600,
    "Idle time allowed after login (TRANSACTION state), also the longest wait for a client to read a reply. RFC 1939 §3 requires at least 10 minutes.",
    { min: 600 },
  ),
  tlsHandshakeTimeoutSec: int(30, "Time allowed for a TLS handshake (implicit TLS or after STLS).", {
    min: 1,
  }),
  maxErrors: int(20, "Failed or unknown commands per connection before the server closes it.", { min: 1 }),
  maxAuthFailures: int(3, "Failed logins per connection before the server closes it.", { min: 1 }),
  maxConnections: int(1000, "Concurrent POP3 connections per listener; more are refused.", { min: 1 }),
  maxConnectionsPerIp: int(
    20,
    "Concurrent POP3 connections not yet logged in from one IP address per listener. A connection that logs in leaves this count (one session per maildrop: the maildrop lock already bounds logged-in ones), so an office behind one address is not locked out.",
    { min: 1 },
  ),
  sizeCacheEntries: int(
    100000,
    "Messages whose LIST/STAT size (the message's octets with CRLF line ends, which needs its last octet) is remembered between sessions, so STAT/LIST need not re-read bodies.",
    { min: 0 },
  ),
};
