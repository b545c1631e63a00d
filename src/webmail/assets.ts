// The built front end (web/dist, made by `npm run build:web` at install time): index.html at
// "/", fingerprinted bundles under /assets/ (cached for a year: a new build has new names), and
// the few other top-level files Vite copies from web/public. Nothing is loaded from elsewhere at
// run time. Files are read once and kept: the build does not change while the server runs.
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** One path segment of a plain file name: no "..", no slashes, no encoded tricks. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface Asset {
  body: Buffer;
  type: string;
  cacheControl: string;
}

export class AssetStore {
  private readonly cache = new Map<string, Asset>();

  constructor(private readonly distDir: string) {}

  /** The asset for a URL path, or null if it is not one of ours (or not built). */
  async get(path: string): Promise<Asset | null> {
    let rel: string;
    let cacheControl: string;
    if (path === "/" || path === "/index.html") {
      rel = "index.html";
      cacheControl = "no-store";
    } else if (path.startsWith("/assets/") && SAFE_NAME.test(path.slice(8))) {
      rel = join("assets", path.slice(8));
      cacheControl = "public, max-age=31536000, immutable";
    } else if (SAFE_NAME.test(path.slice(1)) && TYPES[extname(path)] && path !== "/index.html") {
      rel = path.slice(1);
      cacheControl = "public, max-age=3600";
    } else return null;
    const type = TYPES[extname(rel)];
    if (!type) return null;
    const cached = this.cache.get(rel);
    if (cached) return cached;
    try {
      const asset = { body: await readFile(join(this.distDir, rel)), type, cacheControl };
      // Only files that exist are kept (bounded by the build's size); misses are not, so
      // requests for made-up names cannot grow the cache, and a build made later is found.
      this.cache.set(rel, asset);
      return asset;
    } catch {
      return null;
    }
  }
}
