// The `// expect: <rule-id>` markers of samples and test fixtures, read as the findings the
// static analysis must report (samples.test.ts, customModels.test.ts).
const MARKER = /\/\/\s*expect:\s*(.+)$/;

/**
 * Reads the markers as `line:rule-id` keys (1-based lines). A marker after code refers to its
 * own line; a marker alone on its line (JSDoc lines included) refers to the next line, because
 * a trailing comment inside a `@symmetry` tag would be part of the tag. Each key is one
 * finding: a rule named twice on a line is two findings there (two declared groups), and a
 * finding the engine reported twice on a line (once per model sharing a helper) fails.
 */
export function expectedFindings(text: string): string[] {
  const keys: string[] = [];
  text.split(/\r?\n/).forEach((lineText, index) => {
    const match = MARKER.exec(lineText);
    if (!match) return;
    const before = lineText.slice(0, match.index);
    const line = /^[\s*]*$/.test(before) ? index + 2 : index + 1;
    for (const ruleId of match[1].split(',').map((id) => id.trim()).filter(Boolean)) {
      keys.push(`${line}:${ruleId}`);
    }
  });
  return keys.sort();
}
