// A 53-bit string hash for classifier tokens (cyrb53: two 32-bit multiply-xorshift lanes, public
// domain, bryc 2018). Not cryptographic on purpose: it runs for every token of every message
// (thousands per message, inside the 5 ms scoring budget) and a crypto hash costs ~10x more for
// nothing here — a collision merges two tokens' counts, which costs a little accuracy, not
// safety. 53 bits keep the result an exact JavaScript number and an SQLite INTEGER; with a few
// million distinct tokens the chance of any collision stays below 1e-3.
export function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
