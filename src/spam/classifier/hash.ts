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

/** hash53's lanes after `prefix`: a start from which hashWord continues, so a token made of a
 *  prefix and a word of a longer text is hashed without building the token's string. */
export function hashSeed(prefix: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return [h1, h2];
}

/** hash53's final mixing of lanes continued from hashSeed over a token's characters (then "!"
 *  if `bang`): with the lanes of hashSeed(prefix) run over the lower-cased characters of a word
 *  (`h = Math.imul(h ^ c, …)` as in hash53), hash53(prefix + word + (bang ? "!" : "")). The
 *  tokeniser runs the lanes while it scans the word (tokens.ts asciiTextTokens), so no second
 *  pass and no string. */
export function hashFinish(lane1: number, lane2: number, bang: boolean): number {
  let h1 = lane1;
  let h2 = lane2;
  if (bang) {
    h1 = Math.imul(h1 ^ 33, 2654435761);
    h2 = Math.imul(h2 ^ 33, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
