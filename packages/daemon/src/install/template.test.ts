import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fillTemplate, TemplateError } from './template.js';
import { defaultTemplateDirs } from './template-files.js';

describe('fillTemplate', () => {
  const input = { values: { NAME: 'mcp', PATH: '/a:/b' }, flags: { ON: true, OFF: false } };

  it('fills placeholders and keeps or drops sections, inverted ones too', () => {
    const text = ['a={{NAME}}', '{{#ON}}', 'on={{PATH}}', '{{/ON}}', '{{#OFF}}', 'off', '{{/OFF}}', '{{^OFF}}', 'not-off', '{{/OFF}}'].join('\n');
    expect(fillTemplate('t', text, input)).toBe('a=mcp\non=/a:/b\nnot-off');
  });

  it('keeps nested sections only when every enclosing one is kept', () => {
    const text = ['{{#OFF}}', '{{#ON}}', 'hidden', '{{/ON}}', '{{/OFF}}', 'shown'].join('\n');
    expect(fillTemplate('t', text, input)).toBe('shown');
  });

  it('does not expand placeholders inside values', () => {
    expect(fillTemplate('t', '{{NAME}}', { values: { NAME: '{{PATH}}' }, flags: {} })).toBe('{{PATH}}');
  });

  it('names the template and the placeholder or section that is wrong', () => {
    expect(() => fillTemplate('unit', '{{MISSING}}', input)).toThrow(new TemplateError('unit', 'no value for the placeholder {{MISSING}}'));
    expect(() => fillTemplate('unit', '{{#NOPE}}\n{{/NOPE}}', input)).toThrow(/no value for the section flag NOPE/);
    expect(() => fillTemplate('unit', '{{#ON}}\nx', input)).toThrow(/section ON is never closed/);
    expect(() => fillTemplate('unit', '{{#ON}}\n{{/OFF}}', input)).toThrow(/closes/);
  });
});

describe('the shipped templates', () => {
  const dir = defaultTemplateDirs()[0];

  it('are found where the renderer looks, one per kind of service', () => {
    expect(readdirSync(dir).sort()).toEqual(
      ['dev.mcp-workstation.agent.plist', 'dev.mcp-workstation.daemon.plist', 'mcp-workstation.system.service', 'mcp-workstation.user.service'].sort(),
    );
  });

  it('put no placeholder inside an XML comment (a value with "--" would end it early)', () => {
    for (const name of ['dev.mcp-workstation.agent.plist', 'dev.mcp-workstation.daemon.plist']) {
      const text = readFileSync(path.join(dir, name), 'utf8');
      for (const comment of text.match(/<!--[\s\S]*?-->/g) ?? []) expect(comment).not.toMatch(/\{\{/);
    }
  });
});
