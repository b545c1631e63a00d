// ManageSieve wire layer (src/managesieve/wire): command lines between literals (RFC 5804 §4),
// argument readers, script names, and the response writer. Checks: a string the writer quotes
// scans back to the same octets, and one it cannot quote is a literal of the right size.
import { badScriptName, numberOf, scanLine, textOf, toCommand } from "../../managesieve/wire/command.js";
import { sieveString } from "../../managesieve/wire/response.js";
import { check, type FuzzTarget } from "../target.js";

export const managesieveTarget: FuzzTarget = {
  name: "managesieve",
  coverage: ["src/managesieve/wire/"],
  dictionary: [
    "\r\n",
    '"',
    "\\",
    '\\"',
    "{",
    "+}",
    "}",
    "{0+}",
    "{5}",
    " ",
    "AUTHENTICATE ",
    "PUTSCRIPT ",
    "HAVESPACE ",
    "NOOP ",
    "\u2028",
    "\x85",
  ],
  maxLength: 4096,
  run(input) {
    for (const line of input.toString("latin1").split("\r\n")) {
      const scan = scanLine(Buffer.from(line, "latin1"));
      if (!scan.ok) continue;
      if (scan.literal)
        check(Number.isSafeInteger(scan.literal.size) && scan.literal.size >= 0, "literal size");
      const cmd = toCommand(scan.args);
      for (const a of cmd?.args ?? []) {
        numberOf(a);
        const t = textOf(a);
        if (t !== null) badScriptName(t);
      }
    }
    const written = sieveString(input);
    if (written[0] === 0x22) {
      const back = scanLine(Buffer.concat([Buffer.from("NOOP "), written]));
      check(back.ok && back.literal === null, "a quoted string the writer made does not scan");
      const arg = back.ok ? back.args[1] : undefined;
      check(arg?.kind === "string" && arg.value.equals(input), "a quoted string scanned back differs");
    } else {
      const head = `{${input.length}}\r\n`;
      check(written.subarray(0, head.length).toString("latin1") === head, "literal header");
      check(written.subarray(head.length).equals(input), "literal body");
    }
  },
};
