// The benchmark's Maildir, as a Dovecot of the usual setup leaves it: Maildir++ folders
// (.Archive, .Sent, .Lists.dev, .Trash beside INBOX's cur/new/tmp), file names with S= sizes and
// :2, flags, keywords as letters named in dovecot-keywords, and a dovecot-uidlist per folder
// giving UIDVALIDITY and every file's UID, so Dovecot serves the same UIDs the importer keeps.
// Internal dates are the files' mtimes. Deterministic (a seeded generator): the same --messages
// gives the same bytes. Message sizes follow a mail store's usual shape: most a few KiB of text,
// a quarter tens of KiB, three in a hundred an attachment of 40–300 KiB.
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface GeneratedFolder {
  name: string;
  /** Its directory under the Maildir root ("" for INBOX). */
  dir: string;
  messages: number;
  bytes: number;
}

export interface GeneratedMaildir {
  root: string;
  folders: GeneratedFolder[];
  messages: number;
  bytes: number;
}

const FOLDERS = [
  { name: "INBOX", dir: "", share: 0.5 },
  { name: "Archive", dir: ".Archive", share: 0.2 },
  { name: "Sent", dir: ".Sent", share: 0.15 },
  { name: "Lists/dev", dir: ".Lists.dev", share: 0.1 },
  { name: "Trash", dir: ".Trash", share: 0.05 },
];
/** dovecot-keywords: letter a = 0, b = 1, … */
const KEYWORDS = ["$Forwarded", "Work", "$MDNSent"];
const WORDS =
  "the of and to in is for on that with as by this mail server message meeting report budget project review please thanks attached next week today tomorrow update draft final agenda notes question answer team release plan".split(
    " ",
  );

/** mulberry32: small, fast, seeded. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function text(rand: () => number, bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const words: string[] = [];
    for (let i = 0; i < 8 + Math.floor(rand() * 6); i++)
      words.push(WORDS[Math.floor(rand() * WORDS.length)]!);
    const line = words.join(" ");
    lines.push(line);
    size += line.length + 2;
  }
  return lines.join("\r\n");
}

function base64Lines(rand: () => number, bytes: number): string {
  const raw = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4)
    raw.writeUInt32LE(Math.floor(rand() * 4294967296), Math.min(i, bytes - 4));
  return (raw.toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");
}

function message(rand: () => number, n: number, date: Date): Buffer {
  const r = rand();
  const bodyBytes =
    r < 0.7
      ? 800 + Math.floor(rand() * 5000)
      : r < 0.97
        ? 6000 + Math.floor(rand() * 34000)
        : 40000 + Math.floor(rand() * 260000);
  const from = `user${Math.floor(rand() * 500)}@example.org`;
  const head = [
    `Return-Path: <${from}>`,
    `From: Sender ${n % 500} <${from}>`,
    "To: Bench User <bench@example.test>",
    `Subject: ${text(rand, 30).slice(0, 60)} #${n}`,
    `Date: ${date.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <bench.${n}@example.org>`,
    "MIME-Version: 1.0",
  ];
  if (bodyBytes < 40000)
    return Buffer.from(
      `${head.join("\r\n")}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text(rand, bodyBytes)}\r\n`,
    );
  const boundary = `b${n}x`;
  return Buffer.from(
    `${head.join("\r\n")}\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text(rand, 600)}\r\n` +
      `--${boundary}\r\nContent-Type: application/pdf; name="report-${n}.pdf"\r\nContent-Transfer-Encoding: base64\r\n` +
      `Content-Disposition: attachment; filename="report-${n}.pdf"\r\n\r\n${base64Lines(rand, Math.floor((bodyBytes * 3) / 4))}\r\n` +
      `--${boundary}--\r\n`,
  );
}

/** Flags as Maildir info letters (sorted, as Dovecot writes them): system flags then keywords. */
function flagLetters(rand: () => number, folder: string): string {
  let s = "";
  const seen = folder === "Sent" || folder === "Trash" || rand() < 0.8;
  if (rand() < 0.1) s += "R"; // \Answered
  if (rand() < 0.05) s += "F"; // \Flagged
  if (seen) s += "S";
  if (folder === "Trash" && rand() < 0.2) s += "T"; // \Deleted
  if (rand() < 0.05) s += "a"; // $Forwarded
  if (rand() < 0.03) s += "b"; // Work
  return [...s].sort().join("");
}

/** Writes `count` messages into a Maildir at `root` (created). */
export function generateMaildir(root: string, count: number, seed = 16): GeneratedMaildir {
  const rand = rng(seed);
  const out: GeneratedMaildir = { root, folders: [], messages: 0, bytes: 0 };
  const uidValidityBase = 1_700_000_000;
  const start = Date.UTC(2019, 0, 1) / 1000;
  const span = Date.UTC(2026, 0, 1) / 1000 - start;
  let n = 0;
  FOLDERS.forEach((f, fi) => {
    const dir = join(root, f.dir);
    for (const sub of ["cur", "new", "tmp"]) mkdirSync(join(dir, sub), { recursive: true });
    if (f.dir !== "") writeFileSync(join(dir, "maildirfolder"), "");
    const want = fi === FOLDERS.length - 1 ? count - n : Math.round(count * f.share);
    const folder: GeneratedFolder = { name: f.name, dir: f.dir, messages: 0, bytes: 0 };
    const uidlist: string[] = [];
    // Dates increase with the UID, as mail arrives.
    const step = span / Math.max(1, want);
    for (let i = 0; i < want; i++, n++) {
      const when = Math.floor(start + i * step + rand() * step);
      const date = new Date(when * 1000);
      const body = message(rand, n, date);
      const base = `${when}.M${i}P${fi}.bench,S=${body.length}`;
      // A few recent INBOX messages not yet seen by any client: new/, no info part.
      const isNew = f.name === "INBOX" && i >= want - Math.ceil(want * 0.02);
      const file = isNew
        ? join(dir, "new", base)
        : join(dir, "cur", `${base}:2,${flagLetters(rand, f.name)}`);
      writeFileSync(file, body);
      utimesSync(file, date, date);
      uidlist.push(`${i + 1} :${base}`);
      folder.messages++;
      folder.bytes += body.length;
    }
    const guid = (seed * 1000 + fi).toString(16).padStart(32, "0");
    writeFileSync(
      join(dir, "dovecot-uidlist"),
      `3 V${uidValidityBase + fi} N${want + 1} G${guid}\n${uidlist.join("\n")}${uidlist.length ? "\n" : ""}`,
    );
    writeFileSync(join(dir, "dovecot-keywords"), KEYWORDS.map((k, i) => `${i} ${k}\n`).join(""));
    out.folders.push(folder);
    out.messages += folder.messages;
    out.bytes += folder.bytes;
  });
  // Dovecot's older subscriptions format (one name a line, "." the separator), which 2.3 reads.
  writeFileSync(
    join(root, "subscriptions"),
    FOLDERS.slice(1)
      .map((f) => `${f.dir.slice(1)}\n`)
      .join(""),
  );
  return out;
}
