// A small JMAP client (RFC 8620) for the page: the Session resource, batched method calls with
// result references, upload with progress (XMLHttpRequest: fetch has no upload progress), and
// download URLs. Credentials are the HttpOnly cookie; POSTs carry the CSRF header.
import { CSRF_HEADER, sessionLost } from "./http";

export type Args = Record<string, unknown>;
export type Invocation = [string, Args, string];

const USING = [
  "urn:ietf:params:jmap:core",
  "urn:ietf:params:jmap:mail",
  "urn:ietf:params:jmap:submission",
  "urn:ietf:params:jmap:vacationresponse",
];

/** Our extension for the user's spam settings (src/jmap/spam-settings), offered by the server
 *  only while its spam filter runs. */
export const CAP_SPAM = "urn:yubin:params:jmap:spam";
/** Our extension for the user's app passwords (src/jmap/app-passwords), offered to a session
 *  logged in with the account password. */
export const CAP_APP_PASSWORDS = "urn:yubin:params:jmap:apppasswords";
/** JMAP for Sieve Scripts (RFC 9661): the rules editor's scripts (src/jmap/sieve). */
export const CAP_SIEVE = "urn:ietf:params:jmap:sieve";

export class MethodError extends Error {
  constructor(
    readonly type: string,
    readonly description?: string,
  ) {
    super(description ? `${type}: ${description}` : type);
  }
}

interface SessionResource {
  apiUrl: string;
  downloadUrl: string;
  uploadUrl: string;
  eventSourceUrl: string;
  primaryAccounts: Record<string, string>;
  username: string;
  capabilities: Record<string, Record<string, unknown>>;
}

/** Our own origin's path of a URL the Session gives (it may name the host differently). */
const localPath = (u: string) => {
  const url = new URL(u, location.href);
  return url.pathname + url.search;
};

/** What the mail state needs of a JMAP client: method calls. The page's Jmap is one; the state
 *  modules' unit tests give a fake at this interface (no network). */
export interface JmapApi {
  readonly accountId: string;
  request(calls: Invocation[]): Promise<Map<string, [string, Args]>>;
  call<T = Args>(name: string, args: Args): Promise<T>;
}

/** What the composer needs besides method calls: uploads (RFC 8620 6.1) and their size limit. */
export interface UploadApi {
  readonly maxSizeUpload: number;
  upload(
    file: Blob,
    onProgress: (loaded: number, total: number) => void,
  ): { done: Promise<Uploaded>; abort(): void };
}

export interface Uploaded {
  blobId: string;
  size: number;
  type: string;
}

export class Jmap implements JmapApi, UploadApi {
  readonly accountId: string;
  /** The capabilities of every request: ours and the optional ones the server offers. */
  private readonly using: string[];

  private constructor(
    private readonly csrf: string,
    private readonly s: SessionResource,
  ) {
    this.accountId = s.primaryAccounts["urn:ietf:params:jmap:mail"] ?? "";
    this.using = [...USING, ...[CAP_SPAM, CAP_APP_PASSWORDS, CAP_SIEVE].filter((c) => this.has(c))];
  }

  /** Whether the server offers a capability (RFC 8620 2: the Session's capabilities). */
  has(capability: string): boolean {
    return capability in this.s.capabilities;
  }

  static async open(csrf: string): Promise<Jmap> {
    const r = await fetch("/.well-known/jmap", { credentials: "same-origin", cache: "no-store" });
    if (r.status === 401) throw sessionLost();
    if (!r.ok) throw new Error(`JMAP session: HTTP ${r.status}`);
    return new Jmap(csrf, (await r.json()) as SessionResource);
  }

  get maxSizeUpload(): number {
    const core = this.s.capabilities["urn:ietf:params:jmap:core"];
    return typeof core?.maxSizeUpload === "number" ? core.maxSizeUpload : 50_000_000;
  }

  /** One request of several calls; each response is matched to its call id. */
  async request(calls: Invocation[]): Promise<Map<string, [string, Args]>> {
    const r = await fetch(localPath(this.s.apiUrl), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", [CSRF_HEADER]: this.csrf },
      body: JSON.stringify({ using: this.using, methodCalls: calls }),
    });
    if (r.status === 401) throw sessionLost();
    if (!r.ok) {
      const p = (await r.json().catch(() => ({}))) as { detail?: string };
      throw new Error(p.detail ?? `HTTP ${r.status}`);
    }
    const body = (await r.json()) as { methodResponses: [string, Args, string][] };
    const out = new Map<string, [string, Args]>();
    // Implicit responses (EmailSubmission's onSuccess Email/set) share the call id: keep the first.
    for (const [name, args, id] of body.methodResponses) if (!out.has(id)) out.set(id, [name, args]);
    return out;
  }

  /** The result of one call in a batch, or MethodError if the server answered "error". */
  static result<T = Args>(responses: Map<string, [string, Args]>, id: string): T {
    const r = responses.get(id);
    if (!r) throw new MethodError("serverFail", `no response for ${id}`);
    if (r[0] === "error") throw new MethodError(String(r[1].type), r[1].description as string | undefined);
    return r[1] as T;
  }

  async call<T = Args>(name: string, args: Args): Promise<T> {
    return Jmap.result<T>(await this.request([[name, { accountId: this.accountId, ...args }, "0"]]), "0");
  }

  downloadUrl(blobId: string, name: string, type: string): string {
    return localPath(
      this.s.downloadUrl
        .replace("{accountId}", encodeURIComponent(this.accountId))
        .replace("{blobId}", encodeURIComponent(blobId))
        .replace("{name}", encodeURIComponent(name || "download"))
        .replace("{type}", encodeURIComponent(type || "application/octet-stream")),
    );
  }

  eventSourceUrl(): string {
    return localPath(
      this.s.eventSourceUrl.replace("{types}", "*").replace("{closeafter}", "no").replace("{ping}", "60"),
    );
  }

  /** RFC 8620 6.1 upload, reporting progress; abort() through the returned handle. */
  upload(
    file: Blob,
    onProgress: (loaded: number, total: number) => void,
  ): { done: Promise<Uploaded>; abort(): void } {
    const xhr = new XMLHttpRequest();
    const done = new Promise<Uploaded>((resolve, reject) => {
      xhr.open(
        "POST",
        localPath(this.s.uploadUrl.replace("{accountId}", encodeURIComponent(this.accountId))),
      );
      xhr.withCredentials = true;
      xhr.setRequestHeader(CSRF_HEADER, this.csrf);
      xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onload = () => {
        if (xhr.status === 401) reject(sessionLost());
        else if (xhr.status !== 201 && xhr.status !== 200) reject(new Error(`HTTP ${xhr.status}`));
        else resolve(JSON.parse(xhr.responseText) as Uploaded);
      };
      xhr.onerror = () => reject(new Error("network error"));
      xhr.onabort = () => reject(new Error("aborted"));
      xhr.send(file);
    });
    return { done, abort: () => xhr.abort() };
  }
}
