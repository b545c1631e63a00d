// DirectoryStore.lookupRecipient: one look-up gives what delivering to an address needs (whether
// its domain is ours; its account with quota usage, active Sieve script and vacation response),
// the same as the separate reads it replaces on the SMTP path (src/delivery/resolve.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { account, type OpenStore, withStore } from "./contract-kit.js";

const message = Buffer.from("From: a@example.org\r\nSubject: s\r\n\r\nbody\r\n");
const roomy = { maxScripts: 10, maxTotalBytes: 1 << 20 };

export function runRecipientLookupContract(open: OpenStore): void {
  describe("recipient look-up (lookupRecipient)", () => {
    test("domain ours or not, account or none, the first spelling's account", () =>
      withStore(open, async ({ store }) => {
        const d = store.directory;
        const bob = await account(store, "Bob@example.com");
        const other = await d.lookupRecipient({ addresses: ["bob@other.test"], domains: ["other.test"] });
        assert.deepEqual(other, { domainIsOurs: false, account: null });
        const nobody = await d.lookupRecipient({
          addresses: ["nobody@example.com"],
          domains: ["example.com"],
        });
        assert.deepEqual(nobody, { domainIsOurs: true, account: null });
        // One spelling that is not ours (a U-label, say) and one that is.
        const found = await d.lookupRecipient({
          addresses: ["bob@nowhere.test", "BOB@Example.com"],
          domains: ["nowhere.test", "EXAMPLE.com"],
        });
        assert.equal(found.domainIsOurs, true);
        assert.deepEqual(found.account?.account, await d.getAccount(bob.id));
        const ann = await account(store, "ann@example.com");
        const first = await d.lookupRecipient({
          addresses: ["ann@example.com", "bob@example.com"],
          domains: ["example.com"],
        });
        assert.equal(first.account?.account.id, ann.id);
      }));

    test("the account's facts are the separate reads' answers", () =>
      withStore(open, async ({ store }) => {
        const bob = await account(store, "bob@example.com", { quotaBytes: 10_000, quotaMessages: 7 });
        const q = { addresses: ["bob@example.com"], domains: ["example.com"] };
        const fresh = (await store.directory.lookupRecipient(q)).account?.facts;
        assert.deepEqual(fresh, {
          quota: { bytes: 0, messages: 0, quotaBytes: 10_000, quotaMessages: 7 },
          sieve: null,
          vacation: await store.settings.getVacation(bob.id),
        });
        await store.mail.deliver(message, [{ accountId: bob.id }]);
        await store.sieve.put(bob.id, "other", "discard;", roomy);
        await store.sieve.put(bob.id, "rules", "keep;", roomy);
        await store.sieve.setActive(bob.id, "rules");
        await store.settings.setVacation(bob.id, {
          isEnabled: true,
          fromDate: new Date(1_000_000),
          toDate: null,
          subject: "Away",
          textBody: "Back soon",
          htmlBody: null,
        });
        const facts = (await store.directory.lookupRecipient(q)).account?.facts;
        assert.deepEqual(facts?.quota, await store.mail.quotaUsage(bob.id));
        assert.equal(facts?.quota.messages, 1);
        assert.deepEqual(facts?.sieve, await store.sieve.active(bob.id));
        assert.equal(facts?.sieve?.content, "keep;");
        assert.deepEqual(facts?.vacation, await store.settings.getVacation(bob.id));
        assert.equal(facts?.vacation.subject, "Away");
      }));
  });
}
