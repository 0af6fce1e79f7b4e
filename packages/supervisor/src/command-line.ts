/**
 * Splits a `--stdio "<command line>"` string into an argv the way a POSIX shell's word
 * splitting and quote removal would, so a guide's supergateway command keeps its meaning
 * without running a shell:
 *
 * - blanks (space, tab, newline) separate words outside quotes;
 * - '…' keeps everything literally;
 * - "…" keeps everything literally except a backslash before " \ $ ` (the backslash is
 *   removed) and backslash-newline (a line continuation, removed);
 * - outside quotes, a backslash keeps the next character literally (backslash-newline is
 *   removed);
 * - adjacent parts join into one word (`--x="a b"c` is one word); '' makes an empty word.
 *
 * Nothing is expanded: `$VAR`, `~`, `*` and `#` stay as written. Shell operators outside
 * quotes (| & ; < > ( )) would start a pipeline or a redirection in a real shell; passing
 * them on as arguments would silently do something else, so they are an error that says
 * how to quote them or to ask for a shell (`command.shell`).
 */
export function splitCommandLine(line: string): string[] {
  return new CommandLineSplitter(line).split();
}

const BLANKS = new Set([' ', '\t', '\n']);
const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')']);
/** Inside double quotes, a backslash only escapes these (POSIX 2.2.3). */
const DOUBLE_QUOTE_ESCAPABLE = new Set(['"', '\\', '$', '`', '\n']);

class CommandLineSplitter {
  private readonly words: string[] = [];
  private word = '';
  /** A word has started even if it is still empty ('' or "" count as a word). */
  private inWord = false;
  private index = 0;

  constructor(private readonly line: string) {}

  split(): string[] {
    while (this.index < this.line.length) {
      const char = this.line[this.index];
      if (BLANKS.has(char)) this.endWord();
      else if (char === "'") this.readSingleQuoted();
      else if (char === '"') this.readDoubleQuoted();
      else if (char === '\\') this.readEscape();
      else if (OPERATORS.has(char)) throw this.operatorError(char);
      else this.append(char);
      this.index += 1;
    }
    this.endWord();
    return this.words;
  }

  private append(text: string): void {
    this.word += text;
    this.inWord = true;
  }

  private endWord(): void {
    if (this.inWord) this.words.push(this.word);
    this.word = '';
    this.inWord = false;
  }

  /** Leaves `index` on the closing quote. */
  private readSingleQuoted(): void {
    const start = this.index;
    const end = this.line.indexOf("'", start + 1);
    if (end === -1) throw this.unterminatedError("'", start);
    this.append(this.line.slice(start + 1, end));
    this.index = end;
  }

  /** Leaves `index` on the closing quote. */
  private readDoubleQuoted(): void {
    const start = this.index;
    this.inWord = true;
    for (let i = start + 1; i < this.line.length; i += 1) {
      const char = this.line[i];
      if (char === '"') {
        this.index = i;
        return;
      }
      const next = this.line[i + 1];
      if (char === '\\' && next !== undefined && DOUBLE_QUOTE_ESCAPABLE.has(next)) {
        if (next !== '\n') this.word += next;
        i += 1;
      } else {
        this.word += char;
      }
    }
    throw this.unterminatedError('"', start);
  }

  /** Leaves `index` on the escaped character. */
  private readEscape(): void {
    const next = this.line[this.index + 1];
    if (next === undefined) {
      throw new Error(
        `The command line ends with a lone backslash (at position ${this.index + 1}): ` +
          `remove it, or write \\\\ for a literal backslash.`,
      );
    }
    this.index += 1;
    if (next === '\n') return; // line continuation: joins the two lines
    this.append(next);
  }

  private unterminatedError(quote: string, position: number): Error {
    const name = quote === "'" ? 'single' : 'double';
    return new Error(
      `Unterminated ${name} quote (${quote}) at position ${position + 1} of the command line: ` +
        `close it with a matching ${quote}.`,
    );
  }

  private operatorError(char: string): Error {
    return new Error(
      `The command line has the shell operator ${char} at position ${this.index + 1}, but it is ` +
        `run without a shell: quote it ('${char}') to pass it as an argument, or run the command ` +
        `through a shell (the server's "shell" option).`,
    );
  }
}
