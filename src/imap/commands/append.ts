// RFC 9051 6.3.12 APPEND with UIDPLUS's APPENDUID (RFC 4315 3), APPENDLIMIT (RFC 7889) and
// MULTIAPPEND (RFC 3502): several messages in one command, appended all or none. An oversize
// synchronizing literal is refused with TOOBIG before it is sent (wire/reader.ts).

import { encodeBinaryParts } from "../../mime/binary-parts.js";
import { toCrlf } from "../../mime/line-ends.js";
import { no } from "../errors.js";
import { formatSet } from "../wire/sequence.js";
import { findMailbox } from "./mailbox-common.js";
import { AUTH, type CommandSpec } from "./types.js";

export const append: CommandSpec<"APPEND"> = {
  states: AUTH,
  async run(cmd, s) {
    const account = s.requireAccount();
    for (const m of cmd.messages) {
      if (m.message.length > s.config.appendLimit) throw no("Message too big", "TOOBIG");
      if (m.message.length === 0) throw no("Empty message", "CANNOT");
    }
    const mb = await findMailbox(s, cmd.mailbox, "TRYCREATE");
    const mail = s.app.store.mail;
    const uids: number[] = [];
    try {
      for (const m of cmd.messages) {
        const flags = [...new Set(m.flags.filter((f) => f.toLowerCase() !== "\\recent"))];
        const copy = await mail.append(account.id, mb.id, {
          body: toCrlf(m.binary ? encodeBinaryParts(m.message) : m.message),
          flags,
          internalDate: m.date ?? undefined,
        });
        uids.push(copy.uid);
      }
    } catch (e) {
      // RFC 3502 3: if any message cannot be appended, none of them may stay.
      if (uids.length > 0) await mail.expunge(mb.id, uids).catch(() => {});
      throw e;
    }
    return { code: `APPENDUID ${mb.uidValidity} ${formatSet(uids)}`, text: "APPEND completed" };
  },
};
