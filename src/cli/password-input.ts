// Reads a new password: from stdin (--password-stdin), from a terminal prompt (asked twice,
// not echoed), or from --password with a warning, since argv is visible to other local users.
import { createInterface } from "node:readline";
import { passwordStrengthError } from "../auth/password.js";
import type { ParsedArgs } from "./args.js";
import { CliError } from "./errors.js";

export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function readNewPassword(args: ParsedArgs, io: Io): Promise<string> {
  let pw: string;
  const inline = args.flags.get("password");
  if (typeof inline === "string") {
    io.stderr.write(
      "yubin: warning: --password is visible to other users of this machine; prefer --password-stdin\n",
    );
    pw = inline;
  } else if (args.flags.get("password-stdin")) {
    pw = (await readAll(io.stdin)).replace(/\r?\n$/, "");
  } else if (io.stdin.isTTY) {
    pw = await prompt(io, "New password: ");
    const again = await prompt(io, "Repeat password: ");
    if (pw !== again) throw new CliError("passwords do not match");
  } else {
    throw new CliError("no password given: use --password-stdin, or run in a terminal to be prompted");
  }
  const weak = passwordStrengthError(pw);
  if (weak) throw new CliError(`password rejected: ${weak}`);
  return pw;
}

async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of s) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
    total += b.length;
    if (total > 4096) throw new CliError("password on stdin is longer than 4096 bytes");
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function prompt(io: Io, question: string): Promise<string> {
  return new Promise((resolve) => {
    io.stdout.write(question);
    // Output is swallowed while typing so the password is not echoed.
    const rl = createInterface({ input: io.stdin, terminal: true, output: undefined });
    rl.question("", (answer) => {
      rl.close();
      io.stdout.write("\n");
      resolve(answer);
    });
  });
}
