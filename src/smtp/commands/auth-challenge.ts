// One step of an AUTH exchange (RFC 4954 §4): a 334 challenge out, one base64 response line in.

import { SmtpError } from "../errors.js";
import { replies } from "../replies.js";
import { decodeSaslBase64 } from "../sasl/base64.js";
import type { Session } from "../session.js";

/** Send a 334 challenge and read the client's base64 response; "*" cancels (RFC 4954 §4). */
export async function challenge(s: Session, prompt: string, maxLength?: number): Promise<Buffer | null> {
  s.io.send(replies.authChallenge(prompt));
  const got = await s.io.readLine(maxLength ?? s.cfg.maxLineLength, s.cfg.commandTimeoutSec * 1000);
  if (got.kind === "too-long") throw new SmtpError("line-too-long");
  if (got.kind !== "line") {
    s.endOnWait(got.kind);
    return null;
  }
  const text = got.line.toString("latin1").trim();
  if (text === "*") throw new SmtpError("auth-cancelled");
  return decode(text);
}

export function decode(text: string): Buffer {
  const b = decodeSaslBase64(text);
  if (!b) throw new SmtpError("auth-protocol");
  return b;
}
