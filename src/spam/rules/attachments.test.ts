import assert from "node:assert/strict";
import { test } from "node:test";
import { attachmentRules } from "./attachments.js";
import { message, names } from "./test-input.js";

function withAttachment(filename: string): string {
  return message(
    'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"',
    `--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="${filename}"\nContent-Transfer-Encoding: base64\n\nAAAA\n--b--\n`,
  );
}

test("dangerous attachments by name", () => {
  const cases: [string, string[]][] = [
    ["report.pdf", []],
    ["setup.exe", ["ATTACH_EXECUTABLE"]],
    ["Invoice.PDF.exe", ["ATTACH_EXECUTABLE", "ATTACH_DOUBLE_EXT"]],
    ["run.ps1", ["ATTACH_EXECUTABLE"]],
    ["shortcut.lnk", ["ATTACH_EXECUTABLE"]],
    ["disk.iso", ["ATTACH_EXECUTABLE"]],
    ["budget.xlsm", ["ATTACH_MACRO_DOC"]],
    ["letter.docm", ["ATTACH_MACRO_DOC"]],
    ["setup.exe.zip", ["ATTACH_ARCHIVE_EXE_NAME"]],
    ["photos.zip", []],
    ["noextension", []],
  ];
  for (const [name, want] of cases)
    assert.deepEqual(names(attachmentRules, withAttachment(name)), want, name);
});
