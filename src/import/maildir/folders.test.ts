// Folder names and roles from a Maildir's directories, both layouts, and subscriptions files.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { detectLayout, listFolders, parseSubscriptions, specialUseFor } from "./folders.js";

async function mailbox(dir: string): Promise<void> {
  for (const sub of ["cur", "new", "tmp"]) await mkdir(join(dir, sub), { recursive: true });
}

test("Maildir++: INBOX at the root, .Name.Sub folders decoded from modified UTF-7", async () => {
  const root = await mkdtemp(join(tmpdir(), "yubin-maildir-folders-"));
  try {
    await mailbox(root);
    await mailbox(join(root, ".Sent"));
    await mailbox(join(root, ".Archive.2024"));
    await mailbox(join(root, ".Sp&AOQA3w-e"));
    await mailbox(join(root, ".INBOX.Sub"));
    await mkdir(join(root, ".not-a-mailbox")); // no cur/ or new/
    await mkdir(join(root, "courierimapkeywords"));
    assert.equal(await detectLayout(root), "maildir++");
    const names = (await listFolders(root, "maildir++")).map((f) => f.name);
    assert.deepEqual(names, ["INBOX", "Archive/2024", "INBOX/Sub", "Sent", "Späße"]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("LAYOUT=fs: Name/Sub directories; a directory without cur/ is only a parent", async () => {
  const root = await mkdtemp(join(tmpdir(), "yubin-maildir-folders-"));
  try {
    await mailbox(root);
    await mailbox(join(root, "Archive", "2024"));
    await mailbox(join(root, "Sp&AOQA3w-e"));
    await mkdir(join(root, ".notmuch", "xapian"), { recursive: true }); // a dot-directory: not mail
    assert.equal(await detectLayout(root), "fs");
    const folders = await listFolders(root, "fs");
    assert.deepEqual(
      folders.map((f) => [f.name, f.dir.slice(root.length)]),
      [
        ["INBOX", ""],
        ["Archive/2024", "/Archive/2024"],
        ["Späße", "/Sp&AOQA3w-e"],
      ],
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("roles from Dovecot's default names and common ones, top level only", () => {
  assert.equal(specialUseFor("Sent"), "\\Sent");
  assert.equal(specialUseFor("Sent Messages"), "\\Sent");
  assert.equal(specialUseFor("drafts"), "\\Drafts");
  assert.equal(specialUseFor("Trash"), "\\Trash");
  assert.equal(specialUseFor("Deleted Items"), "\\Trash");
  assert.equal(specialUseFor("Junk"), "\\Junk");
  assert.equal(specialUseFor("Spam"), "\\Junk");
  assert.equal(specialUseFor("Archive"), "\\Archive");
  assert.equal(specialUseFor("Archive/Sent"), null);
  assert.equal(specialUseFor("INBOX"), null);
  assert.equal(specialUseFor("Projects"), null);
});

test("subscriptions: Dovecot's version 2 (tabs), version 1 (delimiter), Courier's (INBOX. prefix)", () => {
  assert.deepEqual(
    [...parseSubscriptions("V\t2\n\nArchive\t2024\nSp&AOQA3w-e\nINBOX\n", { delimiter: "." })],
    ["Archive/2024", "Späße", "INBOX"],
  );
  assert.deepEqual(
    [...parseSubscriptions("Archive.2024\nSent\n", { delimiter: "." })],
    ["Archive/2024", "Sent"],
  );
  assert.deepEqual(
    [...parseSubscriptions("INBOX.Sent\nINBOX.Archive.2024\n", { delimiter: ".", courier: true })],
    ["Sent", "Archive/2024"],
  );
});
