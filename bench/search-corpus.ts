// A deterministic mailbox for the search benchmark (bench/search.ts): message i is the same on
// every run and for every server. About 1.5 KB each: headers, 60 to 250 words of a 20,000-word
// made-up vocabulary drawn with a skewed (Zipf-like) frequency, one in 5 messages also with an
// HTML alternative, one in 8 with a Japanese paragraph (UTF-8, base64), one in 10 with a small
// base64 attachment. The searched words:
//   RARE     in 3 messages of any mailbox of 1,000 or more (i % 33,333 === 7);
//   COMMON   in about 30 % of the messages;
//   JAPANESE a substring (no spaces) of one of the Japanese sentences, in about 3 % of them.
export const RARE = "zyzzogeton";
export const COMMON = "project";
export const JAPANESE = "会議室の予約";

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = "ka re to mi sa lo ne vi du pa ri mo te la shu zen bor tal gri fen wes".split(" ");
const VOCAB: string[] = (() => {
  const r = prng(1);
  const out: string[] = [];
  for (let i = 0; i < 20000; i++) {
    const n = 1 + Math.floor(r() * 3);
    let w = "";
    for (let j = 0; j < n; j++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    out.push(w);
  }
  return out;
})();

const JA = [
  "明日の会議室の予約を確認してください。",
  "資料は共有フォルダにあります。",
  "来週の出張の日程が決まりました。",
  "お疲れさまです。よろしくお願いいたします。",
  "新しいプロジェクトの計画書を送ります。",
];

const b64lines = (b: Buffer) => (b.toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");

/** Message i, CRLF line ends. */
export function searchMessage(i: number): Buffer {
  const r = prng(i + 1000);
  const words: string[] = [];
  const count = 60 + Math.floor(r() * 190);
  for (let k = 0; k < count; k++) words.push(VOCAB[Math.floor(VOCAB.length * r() ** 3)]!);
  if (r() < 0.3) words.splice(Math.floor(r() * words.length), 0, COMMON);
  if (i % 33333 === 7) words.splice(Math.floor(r() * words.length), 0, RARE);
  const lines: string[] = [];
  for (let k = 0; k < words.length; k += 10) lines.push(words.slice(k, k + 10).join(" "));
  const text = `Hello,\r\n\r\n${lines.join("\r\n")}\r\n\r\nRegards\r\n`;
  const subject = `${VOCAB[Math.floor(VOCAB.length * r() ** 2)]} ${VOCAB[Math.floor(VOCAB.length * r() ** 2)]} ${i}`;
  const head =
    `From: Sender ${i % 97} <s${i % 97}@example.test>\r\nTo: bench1@example.test\r\nSubject: ${subject}\r\n` +
    `Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <${i}@search.bench>\r\nMIME-Version: 1.0\r\n`;
  const parts: string[] = [];
  const plain = `Content-Type: text/plain; charset=us-ascii\r\n\r\n${text}`;
  if (i % 5 === 0) {
    const html = `<html><body><p>${lines.join("<br>\r\n")}</p></body></html>\r\n`;
    parts.push(
      `Content-Type: multipart/alternative; boundary=alt${i}\r\n\r\n--alt${i}\r\n${plain}\r\n--alt${i}\r\n` +
        `Content-Type: text/html; charset=us-ascii\r\n\r\n${html}\r\n--alt${i}--\r\n`,
    );
  } else parts.push(plain);
  if (i % 8 === 3) {
    const ja = Array.from({ length: 3 }, () => JA[Math.floor(r() * JA.length)]).join("");
    parts.push(
      `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64lines(Buffer.from(ja))}\r\n`,
    );
  }
  if (i % 10 === 9) {
    const bin = Buffer.alloc(600);
    for (let k = 0; k < bin.length; k++) bin[k] = Math.floor(r() * 256);
    parts.push(
      `Content-Type: application/octet-stream; name=data${i}.bin\r\nContent-Disposition: attachment; filename=data${i}.bin\r\n` +
        `Content-Transfer-Encoding: base64\r\n\r\n${b64lines(bin)}\r\n`,
    );
  }
  if (parts.length === 1) return Buffer.from(head + parts[0]);
  const mixed = parts.map((p) => `--mix${i}\r\n${p}`).join("\r\n");
  return Buffer.from(
    `${head}Content-Type: multipart/mixed; boundary=mix${i}\r\n\r\n${mixed}\r\n--mix${i}--\r\n`,
  );
}
