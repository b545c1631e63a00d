// RFC 9051 6.2.2 AUTHENTICATE, mechanism PLAIN (RFC 4616), with the initial response on the
// command line (SASL-IR, RFC 4959) or after a "+ " continuation. "*" cancels (BAD).
import { plaintextAuthAllowed } from "../capabilities.js";
import { bad, no } from "../errors.js";
import { completeLogin } from "./login-common.js";
import { type CommandSpec, NOT_AUTH } from "./types.js";

export const authenticate: CommandSpec<"AUTHENTICATE"> = {
  states: NOT_AUTH,
  async run(cmd, s) {
    if (cmd.mechanism !== "PLAIN") throw no("Unsupported mechanism", "CANNOT");
    if (!plaintextAuthAllowed(s)) throw no("Use STARTTLS first", "PRIVACYREQUIRED");
    let response = cmd.initial;
    if (response === null) {
      s.sendLine("+ ");
      await s.io.drain();
      const frame = await s.io.readFrame();
      const seg = frame?.segments[0];
      if (frame?.segments.length !== 1 || !seg) throw bad("Authentication exchange cancelled");
      response = seg.data.toString("latin1").trim();
    }
    if (response === "*") throw bad("Authentication exchange cancelled");
    const decoded = response === "=" ? "" : decodeBase64Strict(response);
    if (decoded === null) throw bad("Invalid base64");
    const parts = decoded.split("\0");
    if (parts.length !== 3) throw bad("Invalid PLAIN response");
    const [authzid, authcid, password] = parts as [string, string, string];
    if (authzid !== "" && authzid.toLowerCase() !== authcid.toLowerCase())
      throw no("Authorization identity not allowed", "AUTHENTICATIONFAILED");
    return completeLogin(s, authcid, password);
  },
};

function decodeBase64Strict(s: string): string | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return null;
  return Buffer.from(s, "base64").toString("utf8");
}
