// [http] section: the web listener (autoconfig, admin pages, later webmail and JMAP) and its
// login sessions. Limits bound what one client can make the server hold or wait for.
import { int } from "../config/dsl.js";

export const httpSection = {
  maxBodyBytes: int(65536, "Largest request body accepted (forms, Autodiscover XML); larger gets 413.", {
    min: 1024,
    max: 64 * 1024 * 1024,
  }),
  maxHeaderBytes: int(16384, "Largest request head (request line and headers); larger gets 431.", {
    min: 1024,
    max: 1024 * 1024,
  }),
  requestTimeoutSec: int(30, "Time a client may take to send a whole request.", { min: 1, max: 3600 }),
  keepAliveTimeoutSec: int(5, "Idle time a kept-alive connection waits for its next request.", {
    min: 1,
    max: 600,
  }),
  maxConnections: int(1000, "Concurrent connections per HTTP listener; more are refused.", { min: 1 }),
  maxConnectionsPerIp: int(
    256,
    "Concurrent connections from one client (IPv4 address or IPv6 /64) to all HTTP(S) listeners together; more are closed at once, so one client cannot take every slot. A browser opens up to 6 per host plus 1 for push: 256 serves an office of about 35 webmail users behind one NAT address; add a proxy's address to server.connectionLimitExemptIps.",
    { min: 1 },
  ),
  headersTimeoutSec: int(
    10,
    "Time a client may take to open TLS and send a request's head (request line and headers); slower connections are closed (408), so half-sent requests cannot hold sockets.",
    { min: 1, max: 600 },
  ),
  sessionIdleMinutes: int(60, "A login session unused this long expires.", { min: 1, max: 525600 }),
  sessionMaxHours: int(12, "A login session expires this long after login, used or not.", {
    min: 1,
    max: 8760,
  }),
  maxSessions: int(
    10000,
    "Login sessions kept at once (in the store, so they survive a restart); the least recently used is dropped beyond it.",
    { min: 1 },
  ),
  maxSessionsPerAccount: int(
    50,
    "Login sessions one account may have at once (browsers, devices); its least recently used is dropped beyond it, so a script logging in again and again cannot fill the store.",
    { min: 1 },
  ),
  httpsPort: int(
    0,
    "Port the plain-HTTP listener redirects pages to (the HTTPS port users reach). 0 = the first HTTPS listener's port.",
    { max: 65535 },
  ),
  hstsMaxAgeSec: int(
    31536000,
    "Strict-Transport-Security max-age sent over HTTPS when [tls] cert is set or ACME obtained a certificate (never with the self-signed first-start certificate, nor one from a staging CA); 0 = not sent.",
    { max: 63072000 },
  ),
};
