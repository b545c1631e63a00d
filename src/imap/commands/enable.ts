// RFC 5161 ENABLE. CONDSTORE (RFC 7162 3.1), QRESYNC (RFC 7162 3.2.3, which implies CONDSTORE) and UTF8=ACCEPT (RFC 6855 3: UTF-8 mailbox names and
// strings from then on) can be enabled; others are ignored as the RFC requires, and only those
// actually enabled now are listed in "* ENABLED".
import { AUTH, type CommandSpec } from "./types.js";

const ENABLEABLE = new Set(["CONDSTORE", "QRESYNC", "UTF8=ACCEPT"]);

export const enable: CommandSpec<"ENABLE"> = {
  states: AUTH,
  async run(cmd, s) {
    const now: string[] = [];
    for (const c of cmd.capabilities) {
      if (!ENABLEABLE.has(c) || s.enabled.has(c)) continue;
      s.enabled.add(c);
      now.push(c);
      if (c === "QRESYNC") s.enabled.add("CONDSTORE");
    }
    if (s.state.kind === "selected" && s.enabled.has("CONDSTORE")) s.state.selected.condstore = true;
    s.sendLine(`* ENABLED${now.map((c) => " " + c).join("")}`);
    return undefined;
  },
};
