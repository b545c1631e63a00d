// The Spam / Not-spam patch (mail/junk.ts): one mailbox, one keyword set, its opposite cleared.
import assert from "node:assert/strict";
import { test } from "node:test";
import { junkPatches } from "./junk";

test("junkPatches: Spam moves to Junk with $junk and clears $notjunk", () => {
  assert.deepEqual(junkPatches(["M1", "M2"], "J", true), {
    M1: { mailboxIds: { J: true }, "keywords/$junk": true, "keywords/$notjunk": null },
    M2: { mailboxIds: { J: true }, "keywords/$junk": true, "keywords/$notjunk": null },
  });
});

test("junkPatches: Not spam moves to the Inbox with $notjunk and clears $junk", () => {
  assert.deepEqual(junkPatches(["M1"], "I", false), {
    M1: { mailboxIds: { I: true }, "keywords/$junk": null, "keywords/$notjunk": true },
  });
});
