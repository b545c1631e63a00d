// For the tests of the Sieve script client and the rules editor's state: an account's Sieve
// scripts and blobs in memory behind the client's interfaces (JmapApi, ScriptBlobs), answering
// SieveScript/get, /set and /validate as RFC 9661 says (activation only when every change
// succeeded, the active script not destroyed). No network.
import { type Args, type Invocation, type JmapApi, MethodError } from "../api/jmap";
import type { ScriptBlobs, SieveScript } from "../mail/sieve-scripts";

/** Scripts and blobs in memory; a text containing "BAD" is refused as invalidSieve. */
export class FakeSieve implements JmapApi {
  readonly accountId = "A1";
  scripts: SieveScript[] = [];
  readonly blobData = new Map<string, string>();
  readonly calls: Invocation[] = [];
  /** The next call fails with this error type (RFC 8620 3.6.2), as a method error would. */
  failNext: string | null = null;
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
    const fail = this.failNext;
    this.failNext = null;
    if (fail) throw new MethodError(fail);
    return (await this.request([[name, { accountId: this.accountId, ...args }, "0"]])).get("0")?.[1] as T;
  }
}
