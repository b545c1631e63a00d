// Dangerous attachments, judged by their names (the view does not open archives): programs
// Windows runs on a double-click, Office documents with macros, a harmless-looking extension
// in front of a dangerous one ("invoice.pdf.exe", the oldest trick), and archives whose name
// shows a program inside ("setup.exe.zip"). Each fires once per message. Scores: an executable
// alone is not enough for Junk (5), with any other sign it is.
import type { Signal } from "../types.js";
import type { RuleFamily } from "./types.js";

const EXECUTABLE = new Set(
  "exe scr com bat cmd pif cpl js jse vbs vbe wsf wsh hta jar msi msp ps1 psm1 lnk iso img vhd vhdx reg dll application gadget appx appxbundle msix".split(
    " ",
  ),
);
const MACRO = new Set("docm dotm xlsm xltm xlam pptm potm ppam ppsm sldm".split(" "));
const ARCHIVE = new Set("zip rar 7z gz tgz bz2 xz tar cab ace arj lzh".split(" "));
/** What a victim is meant to see before the real extension. */
const DECOY = new Set(
  "pdf doc docx xls xlsx ppt pptx txt rtf jpg jpeg png gif htm html csv mp3 mp4 wav".split(" "),
);

export function extensions(filename: string): string[] {
  const name = filename.trim().toLowerCase();
  const parts = name.split(".");
  return parts.length < 2 ? [] : parts.slice(1).map((p) => p.trim());
}

export const attachmentRules: RuleFamily = {
  name: "attachments",
  outbound: true,
  run({ view }) {
    const fired = new Map<string, Signal>();
    const add = (s: Signal) => {
      if (!fired.has(s.name)) fired.set(s.name, s);
    };
    for (const a of view.attachments) {
      const ext = extensions(a.filename);
      const last = ext.at(-1);
      if (last === undefined) continue;
      const before = ext.at(-2);
      const name = a.filename.slice(0, 100);
      if (EXECUTABLE.has(last)) {
        add({ name: "ATTACH_EXECUTABLE", score: 3.0, detail: `executable attachment ${name}` });
        if (before !== undefined && DECOY.has(before))
          add({ name: "ATTACH_DOUBLE_EXT", score: 2.5, detail: `double extension ${name}` });
      } else if (MACRO.has(last))
        add({ name: "ATTACH_MACRO_DOC", score: 2.0, detail: `macro document ${name}` });
      else if (ARCHIVE.has(last) && ext.slice(0, -1).some((e) => EXECUTABLE.has(e)))
        add({ name: "ATTACH_ARCHIVE_EXE_NAME", score: 2.0, detail: `archive named like a program ${name}` });
    }
    return [...fired.values()];
  },
};
