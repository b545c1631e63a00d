// Reading one SASL response in an AUTHENTICATE exchange (RFC 9051 6.2.2), for every mechanism.
import { bad } from "../errors.js";
import type { Session } from "./context.js";

/** Send a "+ <challenge>" continuation and read the client's one-line response; "*" cancels. */
export async function saslResponse(s: Session, challenge: string): Promise<string> {
  // An empty line is an empty response here (XOAUTH2's answer to its error challenge).
  s.io.acceptBlankLine();
  s.sendLine(challenge === "" ? "+ " : `+ ${challenge}`);
  await s.io.drain();
  const frame = await s.io.readFrame();
  const seg = frame?.segments[0];
  if (frame?.segments.length !== 1 || !seg) throw bad("Authentication exchange cancelled");
  return seg.data.toString("latin1").trim();
}

/** Strict base64 (RFC 9051 6.2.2: "=" alone is an empty response); "*" is a cancellation. */
export function decodeBase64Strict(s: string): Buffer | null {
  if (s === "*") throw bad("Authentication exchange cancelled");
  if (s === "=") return Buffer.alloc(0);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return null;
  return Buffer.from(s, "base64");
}
