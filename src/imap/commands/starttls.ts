// RFC 9051 6.2.1 STARTTLS: the tagged OK goes out in plaintext, then the handshake; anything the
// client pipelined after the command is discarded (session.ts resets the reader), and the
// capabilities are asked for again by the client.
import { bad } from "../errors.js";
import { type CommandSpec, NOT_AUTH } from "./types.js";

export const starttls: CommandSpec<"STARTTLS"> = {
  states: NOT_AUTH,
  async run(cmd, s) {
    if (s.io.tlsMode !== "starttls" || s.io.secure) throw bad("STARTTLS not available");
    s.sendLine(`${cmd.tag} OK Begin TLS negotiation now`);
    await s.io.startTls();
    return { done: true };
  },
};
