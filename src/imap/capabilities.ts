// What CAPABILITY advertises (RFC 9051 6.1.1, 7.2.2). Only extensions that are implemented and
// tested are listed; pre-login lists depend on TLS (RFC 9051 6.2.1, LOGINDISABLED).
import type { Session } from "./commands/context.js";

export function plaintextAuthAllowed(s: Session): boolean {
  return s.io.secure || s.config.allowPlaintextAuth;
}

/** OAuth 2.0 logins (OAUTHBEARER, XOAUTH2) exist only when [oauth] names a provider. */
export function oauthOffered(s: Session): boolean {
  return s.app.config.oauth.issuer !== "";
}

export function capabilities(s: Session): string[] {
  const caps = ["IMAP4rev1", "IMAP4rev2"];
  if (s.state.kind === "not-authenticated") {
    if (s.io.tlsMode === "starttls" && !s.io.secure) caps.push("STARTTLS");
    if (plaintextAuthAllowed(s)) {
      caps.push("AUTH=PLAIN");
      if (oauthOffered(s)) caps.push("AUTH=OAUTHBEARER", "AUTH=XOAUTH2");
    } else caps.push("LOGINDISABLED");
  }
  caps.push(
    "SASL-IR",
    "LITERAL+",
    "ID",
    "ENABLE",
    "IDLE",
    "NAMESPACE",
    "UNSELECT",
    "UIDPLUS",
    "MULTIAPPEND",
    "BINARY",
    "MOVE",
    "CHILDREN",
    "LIST-EXTENDED",
    "LIST-STATUS",
    "SPECIAL-USE",
    "CONDSTORE",
    "QRESYNC",
    "ESEARCH",
    "SEARCHRES",
    "SORT",
    "SORT=DISPLAY",
    "THREAD=ORDEREDSUBJECT",
    "THREAD=REFERENCES",
    "STATUS=SIZE",
    `APPENDLIMIT=${s.config.appendLimit}`,
    "UTF8=ACCEPT",
    "QUOTA",
    "QUOTA=RES-STORAGE",
    "QUOTA=RES-MESSAGE",
    "OBJECTID",
    "SAVEDATE",
  );
  // RFC 4978 3: only offered while it can still be used.
  if (s.state.kind !== "not-authenticated" && !s.io.compressed) caps.push("COMPRESS=DEFLATE");
  return caps;
}
