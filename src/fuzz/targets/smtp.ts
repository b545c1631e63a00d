// SMTP wire layer (src/smtp/wire): one client stream run through what the session does with it:
// command lines (InputBuffer.takeLine, parseCommandLine), MAIL/RCPT paths and ESMTP parameters
// (xtext values), DATA through the DotDecoder (both bare-line-end modes), BDAT chunks, and the
// line-end checks of a BDAT body. Checks: the same transcript whatever the chunk cuts; a
// normalized body has no bare CR or LF left (RFC 5321 §2.3.8).

import { decodeXtext } from "../../delivery/xtext.js";
import { parseCommandLine } from "../../smtp/wire/command.js";
import { DotDecoder } from "../../smtp/wire/dot-decoder.js";
import { InputBuffer } from "../../smtp/wire/input.js";
import { checkLineEnds, normalizeLineEnds } from "../../smtp/wire/line-ends.js";
import { parsePathArg } from "../../smtp/wire/path.js";
import { check, type FuzzTarget } from "../target.js";
import { cut, cutSizes, sameTranscript } from "./chunks.js";

const MAX_LINE = 512; // RFC 5321 §4.5.3.1.4 command line, and smtp.maxLineLength's default
const MAX_DATA_LINE = 998;
const MAX_SIZE = 16 * 1024;

type Mode =
  | { kind: "command" }
  | { kind: "data"; decoder: DotDecoder }
  | { kind: "bdat"; left: number; parts: Buffer[] };

function pathCommand(log: string[], arg: string, keyword: "FROM" | "TO"): void {
  const p = parsePathArg(arg, keyword);
  if (!p.ok) {
    log.push(`path ${p.reason}`);
    return;
  }
  log.push(`path ${p.path.address} ${p.path.utf8}`);
  for (const { key, value } of p.path.params)
    if (value !== null && (key === "AUTH" || key === "ORCPT" || key === "ENVID"))
      log.push(`xtext ${decodeXtext(value)}`);
}

function body(log: string[], b: Buffer): void {
  const ends = checkLineEnds(b, MAX_DATA_LINE);
  log.push(`body ${b.length} ${ends.bareCr} ${ends.bareLf} ${ends.lineTooLong}`);
  const n = checkLineEnds(normalizeLineEnds(b), MAX_DATA_LINE);
  check(!n.bareCr && !n.bareLf, "normalizeLineEnds left a bare CR or LF");
}

function session(chunks: Buffer[], normalize: boolean): string[] {
  const log: string[] = [];
  const input = new InputBuffer();
  let mode: Mode = { kind: "command" };
  for (const chunk of chunks) {
    input.push(chunk);
    for (let steps = 0; steps < 10_000; steps++) {
      if (mode.kind === "data") {
        if (!input.takeData(mode.decoder)) break;
        const r = mode.decoder.result();
        log.push(`data ${r.size} ${r.tooBig} ${r.bareCr} ${r.bareLf} ${r.lineTooLong}`);
        if (!r.tooBig) {
          check(r.body.length === r.size, "DotDecoder size differs from its body");
          if (normalize) {
            const e = checkLineEnds(r.body, Number.MAX_SAFE_INTEGER);
            check(!e.bareCr && !e.bareLf, "normalized DATA kept a bare CR or LF");
          }
          body(log, r.body);
        }
        mode = { kind: "command" };
        continue;
      }
      if (mode.kind === "bdat") {
        const b = input.takeBytes(mode.left);
        if (b === null) break;
        mode.parts.push(Buffer.from(b));
        mode.left -= b.length;
        if (mode.left === 0) {
          body(log, Buffer.concat(mode.parts));
          mode = { kind: "command" };
        }
        continue;
      }
      const t = input.takeLine(MAX_LINE);
      if (t === null) break;
      if (t.kind === "too-long") {
        log.push("too-long");
        continue;
      }
      const p = parseCommandLine(t.line);
      if (!p.ok) {
        log.push(`bad ${p.reason}`);
        continue;
      }
      const { verb, arg } = p.command;
      log.push(`cmd ${verb}`);
      if (verb === "MAIL") pathCommand(log, arg, "FROM");
      else if (verb === "RCPT") pathCommand(log, arg, "TO");
      else if (verb === "DATA")
        mode = {
          kind: "data",
          decoder: new DotDecoder({ maxSize: MAX_SIZE, maxLineLength: MAX_DATA_LINE, normalize }),
        };
      else if (verb === "BDAT") {
        const m = /^(\d{1,15})(?: +(LAST))?$/i.exec(arg);
        const size = m ? Number(m[1]) : -1;
        // Sizes past what the fuzzer can send would only wait for input; the real limit is smtp.maxMessageSize.
        if (size > 0 && size <= MAX_SIZE) mode = { kind: "bdat", left: size, parts: [] };
      }
    }
  }
  return log;
}

export const smtpTarget: FuzzTarget = {
  name: "smtp",
  coverage: ["src/smtp/wire/", "src/delivery/address.ts", "src/delivery/xtext.ts"],
  dictionary: [
    "\r\n",
    "\r",
    "\n",
    "\r\n.\r\n",
    "\r\n..",
    ".\r\n",
    "EHLO ",
    "MAIL FROM:<",
    "RCPT TO:<",
    ">",
    "DATA\r\n",
    "BDAT 10 LAST\r\n",
    "BDAT 3\r\n",
    "RSET\r\n",
    "AUTH PLAIN ",
    " SIZE=",
    " BODY=8BITMIME",
    " SMTPUTF8",
    " ORCPT=rfc822;",
    " AUTH=",
    "+2B",
    '"',
    "\\",
    "@",
    "<@a,@b:",
    "[127.0.0.1]",
    "[IPv6:::1]",
    "postmaster",
    "é",
  ],
  maxLength: 4096,
  run(input) {
    const normalize = input.length % 2 === 0; // each input tries one of the two modes
    const [whole, ...others] = cutSizes(input).map((n) => session(cut(input, n), normalize));
    for (const o of others) sameTranscript(whole!, o, "transcript depends on the chunk cuts");
  },
};
