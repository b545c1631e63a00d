// IMAP command reader and parser (src/imap/protocol): a client stream cut into frames by the
// CommandReader (lines, synchronizing and non-synchronizing literals, the size limits), each frame
// parsed by parseCommand as the connection does. CommandSyntaxError is the expected answer to bad
// input (BAD); anything else escaping is a crash. Checks: the same frames and errors whatever the
// chunk cuts, and no frame larger than the limits allow.
import { CommandSyntaxError, parseCommand } from "../../imap/wire/command.js";
import { CommandReader, type Frame, type ReaderErrorKind } from "../../imap/wire/reader.js";
import { check, type FuzzTarget } from "../target.js";
import { cut, cutSizes, sameTranscript } from "./chunks.js";

// Small limits, so that the fuzzer's inputs cross them (the config's minimum line is 1024, but the
// reader's logic is the same at any size). Lines stay above the 200 octets the reader looks at for
// the tag of a dropped command, as they do in any valid config.
const LIMITS = { maxLineBytes: 256, maxLiteralBytes: 64, appendLimit: 512 };
const FRAME_MAX = LIMITS.appendLimit + LIMITS.maxLiteralBytes + 17 * LIMITS.maxLineBytes;
const PRE_LOGIN_BUDGET = 600;

function describe(frame: Frame, utf8: boolean): string {
  try {
    const cmd = parseCommand(frame, { maxDepth: 16, utf8, maxAppendMessages: 8 });
    return `cmd ${cmd.tag} ${cmd.name}`;
  } catch (e) {
    if (e instanceof CommandSyntaxError) return `bad ${e.tag} ${e.message}`;
    throw e;
  }
}

function session(chunks: Buffer[], utf8: boolean, loggedIn: boolean): string[] {
  const log: string[] = [];
  const reader = new CommandReader(
    { ...LIMITS, appendAllowed: () => loggedIn, commandBudget: () => (loggedIn ? null : PRE_LOGIN_BUDGET) },
    {
      frame(frame) {
        const size = frame.segments.reduce((n, s) => n + s.data.length, 0);
        check(
          size <= (loggedIn ? FRAME_MAX : PRE_LOGIN_BUDGET),
          `frame of ${size} octets passed the reader's limits`,
        );
        for (const seg of frame.segments)
          if (seg.kind === "literal")
            check(
              seg.data.length <= (loggedIn ? LIMITS.appendLimit : LIMITS.maxLiteralBytes),
              "literal over its limit",
            );
        log.push(describe(frame, utf8));
      },
      continueLiteral() {
        log.push("+");
      },
      error(kind: ReaderErrorKind, tag, command) {
        log.push(`error ${kind} ${tag} ${command}`);
      },
    },
  );
  for (const c of chunks) reader.push(c);
  return log;
}

export const imapTarget: FuzzTarget = {
  name: "imap",
  coverage: ["src/imap/wire/"],
  dictionary: [
    "\r\n",
    "{0}\r\n",
    "{5}\r\n",
    "{100}\r\n",
    "{600+}\r\n",
    "{3+}\r\n",
    "{4294967296}\r\n",
    "~{4}\r\n",
    "a1 ",
    "UID ",
    "FETCH 1:* ",
    "(BODY.PEEK[1.2.HEADER.FIELDS (From To)]<0.10>)",
    "BODYSTRUCTURE",
    "BINARY[1]",
    "SEARCH ",
    "CHARSET UTF-8 ",
    "OR ",
    "NOT ",
    "(",
    ")",
    "SUBJECT ",
    "SINCE 1-Jan-2024 ",
    "SORT (REVERSE DATE) UTF-8 ALL",
    "THREAD REFERENCES UTF-8 ALL",
    "STORE 1 +FLAGS.SILENT (\\Seen)",
    'APPEND INBOX (\\Seen) "1-Jan-2024 00:00:00 +0000" ',
    'LIST (SUBSCRIBED) "" ("*" "%") RETURN (CHILDREN STATUS (MESSAGES))',
    "SELECT INBOX (QRESYNC (1 2 1:5))",
    "ENABLE QRESYNC UTF8=ACCEPT",
    "STATUS INBOX (MESSAGES UIDNEXT)",
    "&AOk-",
    "&-",
    '"',
    "\\",
    "NIL",
    "$",
    "*",
    "%",
  ],
  maxLength: 4096,
  run(input) {
    // The session's options come from the input's length, so every input tries one combination.
    const loggedIn = input.length % 2 === 0;
    const utf8 = input.length % 4 < 2;
    const [whole, ...others] = cutSizes(input).map((n) => session(cut(input, n), utf8, loggedIn));
    for (const o of others) sameTranscript(whole!, o, "frames depend on the chunk cuts");
  },
};
