// Reading an embedded installation's rows for `yubin migrate-store` (issue 17): the SQLite
// database opened read-only, each table read in batches by rowid (or by primary key for WITHOUT
// ROWID tables), so no table is ever held in memory whole. Integers are read as BigInt
// (safeIntegers): spam token hashes use all 64 bits, and a JavaScript number would round them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../errors.js";
import type { CopiedTable } from "../migrate-tables.js";
import { DATABASE_FILE } from "./index.js";
import { migrations } from "./schema.js";

export type ExportRow = Record<string, unknown>;

export interface BlobExport {
  id: bigint;
  hash: string;
  size: bigint;
  inline: boolean;
}

export class SqliteExport {
  private readonly db: Database.Database;
  private readonly keys = new Map<string, string[] | null>();

  constructor(readonly dataDir: string) {
    const path = join(dataDir, DATABASE_FILE);
    try {
      this.db = new Database(path, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw new StoreError("not-found", `no SQLite store at ${path}: ${(e as Error).message}`);
    }
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version !== migrations.length) {
      this.db.close();
      throw new StoreError(
        "invalid",
        `the SQLite store is at schema version ${version}, this Yubin's is ${migrations.length}: start the server once on it (or use the Yubin that wrote it) before migrating`,
      );
    }
  }

  /** Every table of the database (FTS5 shadow tables included). */
  tables(): string[] {
    return (
      this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
  }

  /** The columns of one table. */
  columns(table: string): string[] {
    return (this.db.prepare("SELECT name FROM pragma_table_info(?)").all(table) as { name: string }[]).map(
      (r) => r.name,
    );
  }

  /** AUTOINCREMENT high-water marks: ids SQLite would never give again. */
  sequences(): Map<string, number> {
    const rows = this.db.prepare("SELECT name, seq FROM sqlite_sequence").all() as {
      name: string;
      seq: number;
    }[];
    return new Map(rows.map((r) => [r.name, r.seq]));
  }

  count(table: string): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
  }

  /** null: the table has a rowid; else its primary key's columns (WITHOUT ROWID). */
  private keyOf(table: string): string[] | null {
    if (this.keys.has(table)) return this.keys.get(table)!;
    const withoutRowid = /WITHOUT\s+ROWID/i.test(
      (
        this.db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) as {
          sql: string;
        }
      ).sql,
    );
    const key = withoutRowid
      ? (
          this.db.prepare("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk").all(table) as {
            name: string;
          }[]
        ).map((r) => r.name)
      : null;
    this.keys.set(table, key);
    return key;
  }

  /** The table's rows, `batch` at a time, in rowid (or primary key) order. */
  *rows(spec: CopiedTable, batch: number): Generator<ExportRow[]> {
    const key = this.keyOf(spec.name);
    const cols = spec.columns.map((c) => `"${c}"`).join(", ");
    const order = key ? key.map((c) => `"${c}"`) : ["rowid"];
    const first = this.db.prepare(
      `SELECT ${cols}, ${order.map((c, i) => `${c} AS _k${i}`).join(", ")} FROM "${spec.name}" ORDER BY ${order.join(", ")} LIMIT ?`,
    );
    const next = this.db.prepare(
      `SELECT ${cols}, ${order.map((c, i) => `${c} AS _k${i}`).join(", ")} FROM "${spec.name}"
       WHERE (${order.join(", ")}) > (${order.map(() => "?").join(", ")}) ORDER BY ${order.join(", ")} LIMIT ?`,
    );
    first.safeIntegers(true);
    next.safeIntegers(true);
    let after: unknown[] | null = null;
    for (;;) {
      const rows = (after ? next.all(...after, batch) : first.all(batch)) as ExportRow[];
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!;
      after = order.map((_, i) => last[`_k${i}`]);
      for (const r of rows) for (let i = 0; i < order.length; i++) delete r[`_k${i}`];
      yield rows;
      if (rows.length < batch) return;
    }
  }

  /** Blob rows in id order, `batch` at a time. */
  *blobs(batch: number): Generator<BlobExport[]> {
    const stmt = this.db.prepare("SELECT id, hash, size, inline FROM blobs WHERE id > ? ORDER BY id LIMIT ?");
    stmt.safeIntegers(true);
    let after = 0n;
    for (;;) {
      const rows = stmt.all(after, batch) as { id: bigint; hash: string; size: bigint; inline: bigint }[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id;
      yield rows.map((r) => ({ id: r.id, hash: r.hash, size: r.size, inline: r.inline !== 0n }));
      if (rows.length < batch) return;
    }
  }

  /** A body's octets: its blob_data row or its file under dataDir/blobs. */
  body(blob: BlobExport): Buffer {
    if (!blob.inline) return readFileSync(join(this.dataDir, "blobs", blob.hash.slice(0, 2), blob.hash));
    const row = this.db.prepare("SELECT data FROM blob_data WHERE blob_id = ?").get(blob.id) as
      | { data: Buffer }
      | undefined;
    if (!row) throw new StoreError("not-found", `blob ${blob.hash} has no blob_data row`);
    return row.data;
  }

  close(): void {
    this.db.close();
  }
}
