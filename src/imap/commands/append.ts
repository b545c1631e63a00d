// RFC 9051 6.3.12 APPEND with UIDPLUS's APPENDUID (RFC 4315 3) and APPENDLIMIT (RFC 7889). An
// oversize synchronizing literal is refused with TOOBIG before it is sent (protocol/reader.ts).
import { no } from "../errors.js";
import { findMailbox } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

export const append: CommandSpec<"APPEND"> = {
  states: AUTH,
  async run(cmd, s) {
    const account = s.requireAccount();
    if (cmd.message.length > s.config.appendLimit) throw no("Message too big", "TOOBIG");
    if (cmd.message.length === 0) throw no("Empty message", "CANNOT");
    const mb = await findMailbox(s, cmd.mailbox, "TRYCREATE");
    const flags = [...new Set(cmd.flags.filter((f) => f.toLowerCase() !== "\\recent"))];
    const copy = await s.app.store.mail.append(account.id, mb.id, {
      body: toCrlf(cmd.message),
      flags,
      internalDate: cmd.date ?? undefined,
    });
    return { code: `APPENDUID ${mb.uidValidity} ${copy.uid}`, text: "APPEND completed" };
  },
};

/** Messages are stored with CRLF line ends; some clients send bare LF. */
export function toCrlf(b: Buffer): Buffer {
  let bare = false;
  for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, i + 1)) {
    if (i === 0 || b[i - 1] !== 0x0d) {
      bare = true;
      break;
    }
  }
  if (!bare) return b;
  return Buffer.from(b.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");
}
