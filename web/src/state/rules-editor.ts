// The rules editor's state (Settings → Rules): the rules as read from the server's RULES_SCRIPT
// (or null when that script was edited by hand: rules/sieve-read.ts), the scripts of the
// account, and the server's refusal of the last save. Every change writes the whole list as the
// script and activates it in one SieveScript/set (mail/sieve-scripts.ts); the list shown is
// then read back from the server, so it is always what the server runs.
import type { JmapApi } from "../api/jmap";
import * as sieve from "../mail/sieve-scripts";
import { moveRule, putRule, removeRule } from "../rules/list";
import { RULES_SCRIPT, type Rule } from "../rules/model";
import { sieveToRules } from "../rules/sieve-read";
import { rulesToSieve } from "../rules/sieve-write";
import { Store } from "./store";

export interface RulesEditorState {
  loaded: boolean;
  /** The rules script, null before the first save. */
  script: sieve.SieveScript | null;
  /** Every script of the account (the raw editor's list; another may be the active one). */
  all: sieve.SieveScript[];
  /** The rules, or null when the script is not one the editor wrote (edited by hand). */
  rules: Rule[] | null;
  /** The server's words when it refused the last save (RFC 9661 invalidSieve, tooLarge...). */
  refused: string | null;
  /** Counts saves, so views that read the scripts themselves (the raw editor) read again. */
  version: number;
}

export class RulesEditor extends Store<RulesEditorState> {
  constructor(
    private readonly jmap: JmapApi,
    private readonly blobs: sieve.ScriptBlobs,
  ) {
    super({ loaded: false, script: null, all: [], rules: null, refused: null, version: 0 });
  }

  async load(): Promise<void> {
    const r = await sieve.readNamed(this.jmap, this.blobs, RULES_SCRIPT);
    const read = sieveToRules(r.text);
    this.set({ loaded: true, script: r.script, all: r.all, rules: read.ok ? read.rules : null });
  }

  /** The active script when it is not the rules script (saving the rules replaces it). */
  otherActive(): sieve.SieveScript | null {
    return this.state.all.find((s) => s.isActive && s.name !== RULES_SCRIPT) ?? null;
  }

  /** Writes `next` as the rules script and activates it; false (and `refused` set) when the
   *  server refused it. Other failures (network, session) are thrown. */
  async save(next: Rule[]): Promise<boolean> {
    try {
      await sieve.saveScript(this.jmap, this.blobs, {
        id: this.state.script?.id ?? null,
        name: RULES_SCRIPT,
        text: rulesToSieve(next),
        activate: true,
      });
    } catch (e) {
      if (!(e instanceof sieve.ScriptError)) throw e;
      this.set({ refused: e.description ?? e.type });
      return false;
    }
    this.set({ refused: null, version: this.state.version + 1 });
    await this.load();
    return true;
  }

  private list(): Rule[] {
    return this.state.rules ?? [];
  }

  /** Adds the rule at the end (index null) or replaces rule `index`. */
  put(index: number | null, rule: Rule): Promise<boolean> {
    return this.save(putRule(this.list(), index, rule));
  }

  setEnabled(index: number, enabled: boolean): Promise<boolean> {
    const r = this.list()[index];
    return r ? this.save(putRule(this.list(), index, { ...r, enabled })) : Promise.resolve(false);
  }

  move(index: number, delta: -1 | 1): Promise<boolean> {
    return this.save(moveRule(this.list(), index, delta));
  }

  remove(index: number): Promise<boolean> {
    return this.save(removeRule(this.list(), index));
  }

  /** A script edited by hand replaced by an empty list of rules (the user asked). */
  startOver(): Promise<boolean> {
    return this.save([]);
  }
}
