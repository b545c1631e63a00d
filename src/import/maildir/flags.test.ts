// Maildir file-name info: maildir(5)'s letters and Dovecot's keyword letters.
import assert from "node:assert/strict";
import { test } from "node:test";
import { flagsFromLetters, sizesFromBase, splitFileName } from "./flags.js";

const keywords = new Map([
  [0, "$Forwarded"],
  [1, "project-x"],
  [25, "last"],
]);

test("every maildir(5) letter maps to its flag; P is $Forwarded", () => {
  assert.deepEqual(flagsFromLetters("D", keywords), ["\\Draft"]);
  assert.deepEqual(flagsFromLetters("F", keywords), ["\\Flagged"]);
  assert.deepEqual(flagsFromLetters("P", keywords), ["$Forwarded"]);
  assert.deepEqual(flagsFromLetters("R", keywords), ["\\Answered"]);
  assert.deepEqual(flagsFromLetters("S", keywords), ["\\Seen"]);
  assert.deepEqual(flagsFromLetters("T", keywords), ["\\Deleted"]);
});

test("lower-case letters are dovecot-keywords entries; unknown ones and other characters dropped", () => {
  assert.deepEqual(flagsFromLetters("DFRTabz", keywords), [
    "\\Draft",
    "\\Flagged",
    "\\Answered",
    "\\Deleted",
    "$Forwarded",
    "project-x",
    "last",
  ]);
  // P and keyword a both mean $Forwarded: once.
  assert.deepEqual(flagsFromLetters("PSa", keywords), ["$Forwarded", "\\Seen"]);
  assert.deepEqual(flagsFromLetters("cXY1,", keywords), []);
  assert.deepEqual(flagsFromLetters("", keywords), []);
  assert.deepEqual(flagsFromLetters(null, keywords), []);
});

test("file names split into base and version-2 info", () => {
  assert.deepEqual(splitFileName("1796594505.M363767P31900.vm,S=487,W=504:2,Sab"), {
    base: "1796594505.M363767P31900.vm,S=487,W=504",
    letters: "Sab",
  });
  assert.deepEqual(splitFileName("1700000000.P1Q2.host"), { base: "1700000000.P1Q2.host", letters: null });
  assert.deepEqual(splitFileName("1700000000.x:2,"), { base: "1700000000.x", letters: "" });
  // Dovecot's extension: other fields after a comma are not letters.
  assert.deepEqual(splitFileName("1700000000.x:2,FS,XYZ"), { base: "1700000000.x", letters: "FS" });
  // Version 1 ("experimental") info carries no flags.
  assert.deepEqual(splitFileName("1700000000.x:1,whatever"), { base: "1700000000.x", letters: null });
});

test("S= and W= sizes come from the base", () => {
  assert.deepEqual(sizesFromBase("1796594505.M363767P31900.vm,S=487,W=504"), { size: 487, vsize: 504 });
  assert.deepEqual(sizesFromBase("1700000000.x,S=12"), { size: 12 });
  assert.deepEqual(sizesFromBase("1700000000.x"), {});
  assert.deepEqual(sizesFromBase("1700000000.x,S=abc,W="), {});
});
