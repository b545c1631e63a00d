// The built-in rule families, in the order their signals are listed.
import { adLabelRules } from "./ad-label.js";
import { attachmentRules } from "./attachments.js";
import { authRules } from "./auth.js";
import { bulkRules } from "./bulk.js";
import { forgedMuaRules } from "./forged-mua.js";
import { headerRules, writtenRules } from "./header-anomalies.js";
import { htmlOnlyRules } from "./html-only.js";
import { linkRules } from "./links.js";
import { moneyRules } from "./money.js";
import { screenRules } from "./screen.js";
import type { RuleFamily } from "./types.js";

export { bayesSignals } from "./bayes.js";
export type { RuleFamily, RuleInput } from "./types.js";

export const ruleFamilies: readonly RuleFamily[] = [
  authRules,
  screenRules,
  headerRules,
  writtenRules,
  forgedMuaRules,
  attachmentRules,
  linkRules,
  bulkRules,
  moneyRules,
  htmlOnlyRules,
  adLabelRules,
];
