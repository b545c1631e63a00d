// Writing an embedded installation's rows into PostgreSQL for `yubin migrate-store` (issue 17).
// One connection; each table copied in ONE transaction (multi-row INSERTs in batches), so after a
// failure a table is either whole or empty and --resume starts again at the first table that is not
// whole; bodies are copied in transactions of a batch each (ON CONFLICT (hash) DO NOTHING on resume).
// The copy runs with session_replication_role = replica: no trigger fires, so refcounts, quota used,
// change-log seqs and the seeded identity of a new account are not recomputed but copied as they are
// (that setting needs a superuser). Identity sequences are set past the highest id afterwards.
import pg from "pg";
import { StoreError } from "../errors.js";
import type { ColumnKind, CopiedTable } from "../migrate-tables.js";

/** Postgres's limit of bind parameters in one statement is 65,535. */
const MAX_PARAMS = 60_000;

export class PgImport {
  private constructor(private readonly client: pg.Client) {}

  static async connect(url: string): Promise<PgImport> {
    const client = new pg.Client({ connectionString: url, application_name: "yubin migrate-store" });
    // An error on an idle client would otherwise end the process; the next query reports it.
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (e) {
      throw new StoreError("unavailable", `cannot connect to PostgreSQL: ${(e as Error).message}`);
    }
    return new PgImport(client);
  }

  /** Whether this user may turn triggers off for the copy (a superuser, or granted the parameter). */
  async canDisableTriggers(): Promise<boolean> {
    await this.client.query("BEGIN");
    try {
      await this.client.query("SET LOCAL session_replication_role = replica");
      return true;
    } catch (e) {
      // 42501: insufficient privilege; anything else is a real failure.
      if ((e as { code?: string }).code === "42501") return false;
      throw e;
    } finally {
      await this.client.query("ROLLBACK");
    }
  }

  /** Tables of the current schema (search_path's first). */
  async tables(): Promise<string[]> {
    const r = await this.client.query<{ t: string }>(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    return r.rows.map((x) => x.t);
  }

  async columns(table: string): Promise<string[]> {
    const r = await this.client.query<{ c: string }>(
      "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
      [table],
    );
    return r.rows.map((x) => x.c);
  }

  async count(table: string): Promise<number> {
    const r = await this.client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${table}"`);
    return Number(r.rows[0]?.n ?? 0);
  }

  /** Copies one table in one transaction; `batches` yields its rows. */
  async copyTable(
    spec: CopiedTable,
    batches: Iterable<Record<string, unknown>[]>,
    onBatch: (n: number) => void,
  ): Promise<number> {
    const perStatement = Math.max(1, Math.min(1000, Math.floor(MAX_PARAMS / spec.columns.length)));
    let n = 0;
    await this.inReplicaTx(async () => {
      if (spec.seeded) await this.client.query(`DELETE FROM "${spec.name}"`);
      for (const rows of batches) {
        for (let i = 0; i < rows.length; i += perStatement) {
          await this.insert(spec, rows.slice(i, i + perStatement));
        }
        n += rows.length;
        onBatch(n);
      }
    });
    return n;
  }

  private async insert(spec: CopiedTable, rows: Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const row of rows) {
      const ph: string[] = [];
      for (const c of spec.columns) {
        params.push(convert(row[c], spec.kinds?.[c] ?? "same"));
        ph.push(`$${params.length}`);
      }
      tuples.push(`(${ph.join(", ")})`);
    }
    await this.client.query(
      `INSERT INTO "${spec.name}" (${spec.columns.map((c) => `"${c}"`).join(", ")}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(", ")}`,
      params,
    );
  }

  /** One batch of bodies in one transaction: chunks of `chunkBytes`; a body already there (resume)
   *  is left as it is. */
  async copyBodies(bodies: { id: bigint; body: Buffer }[], chunkBytes: number): Promise<void> {
    const chunk = Math.max(1, chunkBytes);
    await this.inReplicaTx(async () => {
      for (const { id, body } of bodies) {
        // A chunk per statement: a large body's chunks are never all bound at once.
        for (let seq = 0, off = 0; off < body.length || seq === 0; seq++, off += chunk) {
          await this.client.query(
            "INSERT INTO blob_chunks (blob_id, seq, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [String(id), seq, body.subarray(off, Math.min(off + chunk, body.length))],
          );
        }
      }
    });
  }

  /** After the copy: every blob pending for the full-text indexer, identities past the highest id
   *  (and past SQLite's AUTOINCREMENT marks, so no id of a deleted row is given again). */
  async finish(sequences: Map<string, number>): Promise<void> {
    await this.inReplicaTx(async () => {
      await this.client.query(
        "INSERT INTO fts_pending (blob_id) SELECT id FROM blobs ON CONFLICT DO NOTHING",
      );
      const ids = await this.client.query<{ t: string; c: string }>(
        "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
      );
      for (const { t, c } of ids.rows) {
        const max = await this.client.query<{ m: string | null }>(`SELECT MAX("${c}") AS m FROM "${t}"`);
        const top = Math.max(Number(max.rows[0]?.m ?? 0), sequences.get(t) ?? 0);
        // setval(…, 1, false): the next id is 1, as in a table that never had a row.
        await this.client.query("SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)", [
          t,
          c,
          Math.max(top, 1),
          top > 0,
        ]);
      }
    });
  }

  private async inReplicaTx(fn: () => Promise<void>): Promise<void> {
    await this.client.query("BEGIN");
    try {
      await this.client.query("SET LOCAL session_replication_role = replica");
      await fn();
      await this.client.query("COMMIT");
    } catch (e) {
      await this.client.query("ROLLBACK").catch(() => {});
      throw e;
    }
  }

  /** For tests and repairs: one statement. */
  async query(text: string, params: unknown[] = []): Promise<pg.QueryResultRow[]> {
    return (await this.client.query(text, params)).rows;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}

function convert(v: unknown, kind: ColumnKind): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case "same":
      return typeof v === "bigint" ? v.toString() : v;
    case "bool":
      return typeof v === "bigint" ? v !== 0n : Boolean(v);
    case "bytes":
      return Buffer.isBuffer(v) ? v : Buffer.from(String(v), "utf8");
    case "utf8":
      return Buffer.isBuffer(v) ? v : Buffer.from(String(v), "utf8");
    case "json-array": {
      const a = JSON.parse(String(v)) as unknown;
      if (!Array.isArray(a)) throw new StoreError("invalid", `not a JSON array: ${String(v).slice(0, 80)}`);
      return a;
    }
  }
}
