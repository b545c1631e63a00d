// POP3 wire layer (src/pop3/wire): command lines (RFC 1939 §3, RFC 2449 §3) and message
// numbers, and the dot-stuffing of RETR/TOP answers (§3: a line starting with "." gets another).
// Checks: un-stuffing gives the message back, and messageSize is its length.
import { parseCommand, parseLineCount, parseMessageNumber } from "../../pop3/wire/command.js";
import { dotStuff, messageSize, stuffedPieces, topOf } from "../../pop3/wire/dot-stuff.js";
import { check, type FuzzTarget } from "../target.js";

/** Undoes dot-stuffing: a "." at the start of a line (after CRLF, or at the start) is removed. */
function unstuff(b: Buffer): Buffer {
  return Buffer.from(b.toString("latin1").replace(/(^|\r\n)\./g, "$1"), "latin1");
}

export const pop3Target: FuzzTarget = {
  name: "pop3",
  coverage: ["src/pop3/wire/"],
  dictionary: [
    "\r\n",
    "\n",
    ".\r\n",
    "\r\n.",
    "USER ",
    "PASS ",
    "RETR 1",
    "TOP 1 0",
    "LIST",
    "UIDL",
    "CAPA",
    "AUTH ",
    " ",
  ],
  maxLength: 4096,
  run(input) {
    const text = input.toString("latin1");
    for (const line of text.split("\r\n")) {
      const p = parseCommand(line);
      if (!p.ok) continue;
      parseMessageNumber(p.command.args[0]);
      parseLineCount(p.command.args[1]);
    }
    const stuffed = dotStuff(input);
    check(Buffer.concat(stuffedPieces(input)).equals(stuffed), "stuffedPieces differ from dotStuff");
    // Messages are stored with CRLF line ends; only then is stuffing a bijection.
    if (!/\r(?!\n)|(?<!\r)\n/.test(text)) {
      const ended =
        input.length === 0 || input[input.length - 1] === 0x0a
          ? input
          : Buffer.concat([input, Buffer.from("\r\n")]);
      check(unstuff(stuffed).equals(ended), "dot-stuffing lost or changed bytes");
      check(messageSize(input) === ended.length, "messageSize differs from the un-stuffed length");
    }
    const top = topOf(input, input.length % 5);
    check(top.length <= input.length, "TOP returned more than the message");
  },
};
