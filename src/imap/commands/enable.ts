// RFC 5161 ENABLE. CONDSTORE (RFC 7162 3.1), QRESYNC (RFC 7162 3.2.3, which implies CONDSTORE) and UTF8=ACCEPT (RFC 6855 3: UTF-8 mailbox names and
// strings from then on) can be enabled; others are ignored as the RFC requires, and only those
// actually enabled now are listed in "* ENABLED".
import { AUTH, type CommandSpec } from "./types.js";

// IMAP4rev2 (RFC 9051 Appendix E; UTF-8 names as with UTF8=ACCEPT, see Session.rev2) is echoed in
// its usual spelling.
const ENABLEABLE = new Map([
  ["CONDSTORE", "CONDSTORE"],
  ["QRESYNC", "QRESYNC"],
  ["UTF8=ACCEPT", "UTF8=ACCEPT"],
  ["IMAP4REV2", "IMAP4rev2"],
]);

export const enable: CommandSpec<"ENABLE"> = {
  states: AUTH,
  async run(cmd, s) {
    const now: string[] = [];
    for (const c of cmd.capabilities) {
      if (!ENABLEABLE.has(c) || s.enabled.has(c)) continue;
      s.enabled.add(c);
      now.push(ENABLEABLE.get(c) ?? c);
      if (c === "QRESYNC") s.enabled.add("CONDSTORE");
    }
    if (s.state.kind === "selected" && s.enabled.has("CONDSTORE")) s.state.selected.condstore = true;
    s.sendLine(`* ENABLED${now.map((c) => " " + c).join("")}`);
    return undefined;
  },
};
