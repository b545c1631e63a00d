// Deterministic bodies for the crash test: the parent recomputes them to check integrity.
// Every third one is large (a blob file when inlineMaxBytes is small).
export function crashBody(n: number): Buffer {
  const head = `Message-ID: <crash-${n}@test>\r\nSubject: crash ${n}\r\n\r\n`;
  const size = n % 3 === 0 ? 50_000 + (n % 7) * 1000 : 200 + (n % 11);
  return Buffer.concat([Buffer.from(head), Buffer.alloc(size, String.fromCharCode(97 + (n % 26)))]);
}
