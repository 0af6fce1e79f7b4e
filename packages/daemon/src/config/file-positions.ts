import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node } from 'yaml';

/**
 * Line numbers of the keys in a config file, so a message can say "config.yaml:12". JSON is
 * YAML too, so one parser finds them in both. Keys are spelled as in the file:
 * `listen.port`, `servers.aws.env.AWS_REGION`, `servers[0].command`.
 */

export interface FileScan {
  lines: Map<string, number>;
  /** A key written twice in one map (the parsers keep only one of them, silently for JSON). */
  duplicate: { key: string; firstLine: number; line: number } | null;
  /** The first syntax error, for YAML (JSON is parsed by JSON.parse first). */
  syntaxError: { message: string; line: number; column: number } | null;
  /** The file's value as YAML reads it; undefined when it has errors. */
  data: unknown;
}

export function scanFile(text: string): FileScan {
  const lineCounter = new LineCounter();
  // Duplicates are found below, with their whole key path, rather than by the parser.
  const document = parseDocument(text, { uniqueKeys: false, merge: true, lineCounter, prettyErrors: false });
  const scan: FileScan = { lines: new Map(), duplicate: null, syntaxError: null, data: undefined };
  if (document.contents) collectLines(document.contents as Node, '', lineCounter, scan);
  const error = document.errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    scan.syntaxError = { message: error.message.replace(/ at line \d+, column \d+.*$/s, ''), line, column: col };
  } else {
    scan.data = document.toJS();
  }
  return scan;
}

function collectLines(node: Node, prefix: string, lineCounter: LineCounter, scan: FileScan): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = prefix === '' ? String(pair.key.value) : `${prefix}.${String(pair.key.value)}`;
      const line = pair.key.range ? lineCounter.linePos(pair.key.range[0]).line : 0;
      const firstLine = scan.lines.get(key);
      if (firstLine !== undefined) scan.duplicate ??= { key, firstLine, line };
      else scan.lines.set(key, line);
      if (pair.value) collectLines(pair.value as Node, key, lineCounter, scan);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const key = `${prefix}[${index}]`;
      const itemNode = item as Node;
      if (itemNode.range) scan.lines.set(key, lineCounter.linePos(itemNode.range[0]).line);
      collectLines(itemNode, key, lineCounter, scan);
    });
  }
}
