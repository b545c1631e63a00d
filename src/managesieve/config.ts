// [managesieve] section: every limit of the ManageSieve server (RFC 5804), which lets clients
// (sieve-connect, Thunderbird's sieve add-on, Roundcube's managesieve plugin) upload and manage
// an account's Sieve scripts. Script sizes and counts are [sieve] maxScriptBytes / maxScripts.
import { bool, int } from "../config/dsl.js";

export const managesieveSection = {
  allowPlaintextAuth: bool(
    false,
    "Allow AUTHENTICATE on unencrypted connections (trusted LAN only). Otherwise clients must use STARTTLS first, and SASL is listed empty before it.",
  ),
  maxLineLength: int(
    8192,
    "Longest command line in octets outside literals, CRLF included (quoted strings are at most 1024 octets, RFC 5804 §4); longer lines get NO.",
    { min: 1024, max: 65536 },
  ),
  maxPreAuthLiteralBytes: int(
    16384,
    "Largest literal ({n+}) accepted before login (a SASL response carrying an OAuth token); a larger one closes the connection with BYE.",
    { min: 1024, max: 1024 * 1024 },
  ),
  maxDiscardBytes: int(
    4 * 1024 * 1024,
    "After login, a literal over [sieve] maxScriptBytes is read and dropped, then refused with NO (QUOTA/MAXSIZE), up to this size; a larger one closes the connection with BYE.",
    { min: 65536, max: 1024 * 1024 * 1024 },
  ),
  loginTimeoutSec: int(60, "Idle time allowed before login; then the server says BYE and closes.", {
    min: 1,
  }),
  loginDeadlineSec: int(
    60,
    "Time from connecting to a successful login; then the server says BYE and closes, however busy the client keeps the connection.",
    { min: 1 },
  ),
  idleTimeoutSec: int(
    1800,
    "Idle time allowed after login, also the longest wait for a client to read a reply or send a literal's octets.",
    { min: 60 },
  ),
  tlsHandshakeTimeoutSec: int(30, "Time allowed for a TLS handshake after STARTTLS.", { min: 1 }),
  maxErrors: int(20, "Failed or unknown commands per connection before the server says BYE.", { min: 1 }),
  maxAuthFailures: int(3, "Failed logins per connection before the server says BYE.", { min: 1 }),
  maxConnections: int(500, "Concurrent ManageSieve connections per listener; more are refused.", { min: 1 }),
  maxConnectionsPerIp: int(
    10,
    "Concurrent ManageSieve connections not yet logged in from one IP address per listener; a connection that logs in leaves this count for the per-account one.",
    { min: 1 },
  ),
  maxConnectionsPerUserIp: int(
    10,
    "Concurrent logged-in ManageSieve connections of one account from one IP.",
    {
      min: 1,
    },
  ),
};
