// ROC AUC and recall at a ham false-positive rate, for bench:spam and the tuning script. The
// code and its hand-computed tests live in src/spam/classifier/roc.ts (the test runner only
// looks under src/); this is the name the benchmarks import.
export { type RecallAtFpr, recallAtFpr, rocAuc, type Scored } from "../../src/spam/classifier/roc.js";
