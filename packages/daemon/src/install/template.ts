/**
 * The service templates' placeholder syntax, deliberately tiny (a template engine would be a
 * dependency for four files):
 *
 *   {{NAME}}                    replaced by the value of NAME (already escaped for the file's syntax)
 *   {{#FLAG}} … {{/FLAG}}       the lines between are kept when FLAG is true
 *   {{^FLAG}} … {{/FLAG}}       the lines between are kept when FLAG is false
 *
 * Section markers stand alone on their line. Anything left unfilled is an error, so a template
 * and its renderer cannot drift apart silently.
 */

export interface TemplateInput {
  values: Readonly<Record<string, string>>;
  flags: Readonly<Record<string, boolean>>;
}

export class TemplateError extends Error {
  constructor(template: string, problem: string) {
    super(`service template ${template}: ${problem}`);
    this.name = 'TemplateError';
  }
}

const SECTION_LINE = /^\s*\{\{([#^/])([A-Z][A-Z0-9_]*)\}\}\s*$/;
const PLACEHOLDER = /\{\{([A-Z][A-Z0-9_]*)\}\}/g;

export function fillTemplate(name: string, text: string, input: TemplateInput): string {
  const kept = keepSections(name, text.split('\n'), input.flags);
  return kept.map((line) => fillLine(name, line, input.values)).join('\n');
}

function keepSections(name: string, lines: string[], flags: TemplateInput['flags']): string[] {
  const open: Array<{ flag: string; keep: boolean }> = [];
  const kept: string[] = [];
  for (const line of lines) {
    const marker = SECTION_LINE.exec(line);
    if (marker === null) {
      if (open.every((section) => section.keep)) kept.push(line);
      continue;
    }
    const [, kind, flag] = marker;
    if (kind === '/') {
      const last = open.pop();
      if (last?.flag !== flag) throw new TemplateError(name, `{{/${flag}}} closes ${last ? `{{${last.flag}}}` : 'nothing'}`);
      continue;
    }
    if (!(flag in flags)) throw new TemplateError(name, `no value for the section flag ${flag}`);
    open.push({ flag, keep: kind === '#' ? flags[flag] : !flags[flag] });
  }
  if (open.length > 0) throw new TemplateError(name, `section ${open[open.length - 1].flag} is never closed`);
  return kept;
}

function fillLine(name: string, line: string, values: TemplateInput['values']): string {
  return line.replace(PLACEHOLDER, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new TemplateError(name, `no value for the placeholder {{${key}}}`);
    return value;
  });
}
