// The JMAP Sieve client (mail/sieve-scripts.ts) against an account in memory that answers
// SieveScript/get, /set and /validate as RFC 9661 says: the wire format of each call, activation
// only when the set succeeds, refusals thrown with the server's description.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Args, Invocation, JmapApi } from "../api/jmap";
import {
  activateScript,
  destroyScript,
  diagnostics,
  listScripts,
  readNamed,
  type ScriptBlobs,
  type SieveScript,
  saveScript,
  validateScript,
} from "./sieve-scripts";

/** Scripts and blobs in memory; a text containing "BAD" is refused as invalidSieve. */
class FakeSieve implements JmapApi {
  readonly accountId = "A1";
  scripts: SieveScript[] = [];
  readonly blobData = new Map<string, string>();
  readonly calls: Invocation[] = [];
  private n = 0;
  readonly blobs: ScriptBlobs = {
    upload: async (text) => {
      const id = `B${++this.n}`;
      this.blobData.set(id, text);
      return id;
    },
    download: async (s) => this.blobData.get(s.blobId) ?? "",
  };
  private check(blobId: string) {
    const text = this.blobData.get(blobId) ?? "";
    return text.includes("BAD")
      ? { type: "invalidSieve", description: "line 2, column 3: unknown command" }
      : null;
  }
  async request(calls: Invocation[]): Promise<Map<string, [string, Args]>> {
    const out = new Map<string, [string, Args]>();
    for (const [name, args, id] of calls) {
      this.calls.push([name, structuredClone(args), id]);
      out.set(id, [name, this.answer(name, args)]);
    }
    return out;
  }
  private answer(name: string, a: Args): Args {
    if (name === "SieveScript/get") return { list: structuredClone(this.scripts) };
    if (name === "SieveScript/validate") return { error: this.check(String(a.blobId)) };
    const created: Args = {};
    const notCreated: Args = {};
    const notUpdated: Args = {};
    const notDestroyed: Args = {};
    const ids = new Map<string, string>();
    for (const [k, v] of Object.entries((a.create ?? {}) as Record<string, SieveScript>)) {
      const bad = this.check(v.blobId);
      if (bad) notCreated[k] = bad;
      else {
        const id = `S${++this.n}`;
        this.scripts.push({ id, name: v.name, blobId: v.blobId, isActive: false });
        ids.set(`#${k}`, id);
        created[k] = { id, isActive: false };
      }
    }
    for (const [id, v] of Object.entries((a.update ?? {}) as Record<string, { blobId: string }>)) {
      const bad = this.check(v.blobId);
      const s = this.scripts.find((x) => x.id === id);
      if (bad || !s) notUpdated[id] = bad ?? { type: "notFound" };
      else s.blobId = v.blobId;
    }
    for (const id of (a.destroy ?? []) as string[]) {
      const s = this.scripts.find((x) => x.id === id);
      if (!s) notDestroyed[id] = { type: "notFound" };
      else if (s.isActive) notDestroyed[id] = { type: "sieveIsActive" };
      else this.scripts = this.scripts.filter((x) => x !== s);
    }
    const failed = Object.keys(notCreated).length + Object.keys(notUpdated).length > 0;
    const act = a.onSuccessActivateScript as string | undefined;
    if (!failed && act) {
      const id = ids.get(act) ?? act;
      for (const s of this.scripts) s.isActive = s.id === id;
    }
    if (!failed && a.onSuccessDeactivateScript === true) for (const s of this.scripts) s.isActive = false;
    return { created, notCreated, notUpdated, notDestroyed };
  }
  async call<T = Args>(name: string, args: Args): Promise<T> {
    return (await this.request([[name, { accountId: this.accountId, ...args }, "0"]])).get("0")?.[1] as T;
  }
}

test("save creates the named script from an uploaded blob and activates it in the same call", async () => {
  const j = new FakeSieve();
  const s = await saveScript(j, j.blobs, { id: null, name: "yubin-rules", text: "keep;\n", activate: true });
  assert.deepEqual(j.calls.at(-1), [
    "SieveScript/set",
    {
      accountId: "A1",
      create: { new: { name: "yubin-rules", blobId: "B1" } },
      onSuccessActivateScript: "#new",
    },
    "0",
  ]);
  assert.deepEqual(s, { id: "S2", name: "yubin-rules", blobId: "B1", isActive: true });
  assert.deepEqual(await readNamed(j, j.blobs, "yubin-rules"), {
    script: { id: "S2", name: "yubin-rules", blobId: "B1", isActive: true },
    text: "keep;\n",
    all: j.scripts,
  });
  // Saved again: an update of the same script, which stays active.
  await saveScript(j, j.blobs, { id: "S2", name: "yubin-rules", text: "discard;\n", activate: true });
  assert.deepEqual(j.calls.at(-1)?.[1], {
    accountId: "A1",
    update: { S2: { blobId: "B3" } },
    onSuccessActivateScript: "S2",
  });
  assert.equal((await readNamed(j, j.blobs, "yubin-rules")).text, "discard;\n");
  assert.deepEqual(await readNamed(j, j.blobs, "other"), { script: null, text: "", all: j.scripts });
});

test("a refused script is thrown with the server's description and nothing is activated", async () => {
  const j = new FakeSieve();
  await assert.rejects(saveScript(j, j.blobs, { id: null, name: "x", text: "BAD", activate: true }), {
    type: "invalidSieve",
    description: "line 2, column 3: unknown command",
  });
  assert.deepEqual(j.scripts, []);
});

test("validate, activate, deactivate and destroy", async () => {
  const j = new FakeSieve();
  assert.equal(await validateScript(j, j.blobs, "keep;"), null);
  assert.deepEqual(j.calls.at(-1)?.[1], { accountId: "A1", blobId: "B1" });
  assert.deepEqual(await validateScript(j, j.blobs, "BAD"), {
    type: "invalidSieve",
    description: "line 2, column 3: unknown command",
  });
  const a = await saveScript(j, j.blobs, { id: null, name: "a", text: "keep;", activate: false });
  assert.equal((await listScripts(j))[0]?.isActive, false);
  await activateScript(j, a.id);
  assert.deepEqual(j.calls.at(-1)?.[1], { accountId: "A1", onSuccessActivateScript: a.id });
  assert.equal((await listScripts(j))[0]?.isActive, true);
  await assert.rejects(destroyScript(j, a.id), { type: "sieveIsActive" });
  await activateScript(j, null);
  assert.deepEqual(j.calls.at(-1)?.[1], { accountId: "A1", onSuccessDeactivateScript: true });
  await destroyScript(j, a.id);
  await destroyScript(j, a.id);
  assert.deepEqual(await listScripts(j), []);
});

test("diagnostics: line and column of each line of a description", () => {
  assert.deepEqual(
    diagnostics("line 2, column 3: unknown command\nline 10, column 1: missing ;\nsomething"),
    [
      { line: 2, column: 3, message: "unknown command" },
      { line: 10, column: 1, message: "missing ;" },
      { line: null, column: null, message: "something" },
    ],
  );
});
