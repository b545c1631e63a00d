// The app-password settings' state (mail/app-passwords.ts) against the fake JMAP server: the
// secret kept from the create's answer only, refusals thrown with their SetError type, a revoke
// of one already gone taken as done, and the form's checks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeJmap } from "../state/fake-jmap";
import {
  createAppPassword,
  formProblem,
  loadAppPasswords,
  profileFileName,
  revokeAppPassword,
  toggleScope,
} from "./app-passwords";

test("create: the secret comes from the create's answer once; the list never holds it", async () => {
  const j = new FakeJmap();
  assert.deepEqual(await loadAppPasswords(j), []);
  const made = await createAppPassword(j, { name: "  Phone ", scopes: ["imap", "smtp"] });
  assert.deepEqual(j.calls.at(-1)?.[1], {
    accountId: "A1",
    create: { new: { name: "Phone", scopes: ["imap", "smtp"] } },
  });
  assert.match(made.secret, /^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$/);
  assert.equal(made.appPassword.name, "Phone");
  assert.ok(!("secret" in made.appPassword));
  const list = await loadAppPasswords(j);
  assert.deepEqual(list, [made.appPassword]);
  assert.ok(!JSON.stringify(list).includes(made.secret));
});

test("a refused create is thrown with its SetError type and description", async () => {
  const j = new FakeJmap();
  await assert.rejects(createAppPassword(j, { name: "x", scopes: [] }), { type: "invalidProperties" });
  assert.deepEqual(await loadAppPasswords(j), []);
});

test("revoke removes it; revoking one already gone is not an error", async () => {
  const j = new FakeJmap();
  const made = await createAppPassword(j, { name: "Tablet", scopes: ["imap"] });
  await revokeAppPassword(j, made.appPassword.id);
  assert.deepEqual(j.calls.at(-1)?.[1], { accountId: "A1", destroy: [made.appPassword.id] });
  assert.deepEqual(await loadAppPasswords(j), []);
  await revokeAppPassword(j, made.appPassword.id);
});

test("withAppleProfile: the profile comes with the secret; it needs sending and reading; its file name", async () => {
  const j = new FakeJmap();
  const made = await createAppPassword(j, { name: "iPhone", scopes: ["imap", "smtp"], appleProfile: true });
  assert.deepEqual(j.calls.at(-1)?.[1], {
    accountId: "A1",
    create: { new: { name: "iPhone", scopes: ["imap", "smtp"], withAppleProfile: true } },
  });
  assert.equal(made.appleProfile, "<?xml profile?>");
  assert.ok(!("appleProfile" in made.appPassword));
  const plain = await createAppPassword(j, { name: "Laptop", scopes: ["imap"] });
  assert.ok(!("appleProfile" in plain));
  assert.equal(formProblem("iPhone", ["imap"], { appleProfile: true }), "profileScopes");
  assert.equal(formProblem("iPhone", ["pop3", "smtp"], { appleProfile: true }), null);
  assert.equal(profileFileName("Ann's iPhone 15"), "Ann_s iPhone 15.mobileconfig");
  assert.equal(profileFileName("携帯"), "携帯.mobileconfig");
  assert.equal(profileFileName("../.."), "_____.mobileconfig");
});

test("the form: a name of 1 to 64 characters and at least one scope; scopes kept in order", () => {
  assert.equal(formProblem("Phone", ["imap"]), null);
  assert.equal(formProblem("   ", ["imap"]), "name");
  assert.equal(formProblem("x".repeat(65), ["imap"]), "name");
  assert.equal(formProblem("Phone", []), "scopes");
  assert.deepEqual(toggleScope(["smtp"], "imap", true), ["imap", "smtp"]);
  assert.deepEqual(toggleScope(["imap", "smtp"], "imap", false), ["smtp"]);
  assert.deepEqual(toggleScope(["imap"], "imap", true), ["imap"]);
});
