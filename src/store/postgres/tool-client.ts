// One connection for a command-line tool's run (backup, verify): not the store's pool, so a tool
// beside a running server holds one connection and refuses at once, with a StoreError the CLI
// prints, when the database cannot be reached.
import pg from "pg";
import { StoreError } from "../errors.js";

export async function connectTool(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
  } catch (e) {
    throw new StoreError("unavailable", `cannot connect to PostgreSQL: ${(e as Error).message}`);
  }
  return c;
}
