// The SMTP server: inbound MX (protocol "smtp") and submission (587 STARTTLS, 465 implicit TLS).
// See listener.ts (connections), session.ts (command loop), commands/ (one file per command),
// wire/ (bytes <-> typed commands and replies), message/ (what happens to an accepted message).

export { smtpSection } from "./config.js";
export { startSmtpListener } from "./listener.js";
