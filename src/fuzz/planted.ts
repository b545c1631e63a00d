// Targets with planted bugs, for the fuzzer's own tests: each bug sits behind a chain of byte
// comparisons that random inputs practically never pass (1 in 2^32) but coverage feedback climbs
// one byte at a time. They prove the engine finds crashes, slow inputs and endless loops.
import type { FuzzTarget } from "./target.js";

function depth(input: Buffer, word: string): number {
  let i = 0;
  while (i < word.length && input[i] === word.charCodeAt(i)) i++;
  return i;
}

// The dictionary holds the magic bytes one by one: inserting the right one at the right place is
// likely (about 1 in 200), all four at once is not.
const base = { coverage: ["src/fuzz/planted.ts"], dictionary: ["B", "U", "G", "!"], maxLength: 64 };

// Nested ifs, not a loop: each matched byte is a new block, so coverage can tell progress.
function reaches(input: Buffer): boolean {
  if (input[0] === 0x42) if (input[1] === 0x55) if (input[2] === 0x47) if (input[3] === 0x21) return true;
  return false;
}

export const plantedCrash: FuzzTarget = {
  ...base,
  name: "planted-crash",
  run(input) {
    if (reaches(input)) throw new TypeError("planted crash");
  },
};

export const plantedHang: FuzzTarget = {
  ...base,
  name: "planted-hang",
  run(input) {
    if (reaches(input)) for (;;) {}
  },
};

export const plantedSlow: FuzzTarget = {
  ...base,
  name: "planted-slow",
  run(input) {
    if (reaches(input)) {
      const until = performance.now() + 300;
      while (performance.now() < until) {}
    }
  },
};

/** Never fails: for measuring speed and checking that a clean target ends with no finding. */
export const plantedNone: FuzzTarget = {
  ...base,
  name: "planted-none",
  run(input) {
    depth(input, "BUG!");
  },
};
