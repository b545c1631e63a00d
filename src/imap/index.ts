// The IMAP server (RFC 9051, RFC 3501): protocol "imap". See README.md for the map of this folder:
// listener.ts (connections), session.ts (one connection: read, dispatch, reply), commands/ (one
// file per command, with the states it is allowed in), wire/ (bytes <-> typed commands and
// responses), state.ts (the session state union).

export { imapSection } from "./config.js";
export { startImapListener } from "./listener.js";
