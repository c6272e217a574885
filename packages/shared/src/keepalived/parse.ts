/**
 * keepalived.conf parser: the real grammar — line-oriented statements, `{ }` blocks (also on the
 * statement's own line or the next), `!` and `#` comments, double-quoted strings, and `include`
 * resolved through an injected reader so the package stays pure. It builds a syntax tree only;
 * what the keywords mean is the importer's business (import.ts).
 */

/** One statement: a keyword, its arguments, where it was written, and its block if it opens one. */
export type KeepalivedStatement = {
  keyword: string;
  args: string[];
  /** File the statement came from (the top file's name, or an included path). */
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  /** Present when the statement opens a `{ }` block. */
  block?: KeepalivedStatement[];
};

/** A syntax problem or an include problem, with its place. */
export type KeepalivedParseIssue = { file: string; line: number; message: string };

/**
 * Resolves an `include` pattern to files. keepalived accepts glob patterns; the caller expands
 * them (and reads the files), so this package does no I/O.
 *
 * @param pattern - the include argument as written.
 * @param fromFile - the file containing the `include`, for resolving relative patterns.
 * @returns the matched files in the order to include them (keepalived sorts glob matches);
 *   an empty array when nothing matched.
 */
export type IncludeReader = (pattern: string, fromFile: string) => ReadonlyArray<{ path: string; text: string }>;

/** Options for {@link parseKeepalived}. */
export type ParseKeepalivedOptions = {
  /** Name of the text's file, for positions; default `keepalived.conf`. */
  file?: string;
  /** Resolves `include`; without it an `include` is an error. */
  readInclude?: IncludeReader;
};

/** The parse result: statements, or the issues that prevented a tree. Warnings never block. */
export type ParseKeepalivedResult =
  | { ok: true; statements: KeepalivedStatement[]; warnings: KeepalivedParseIssue[] }
  | { ok: false; errors: KeepalivedParseIssue[]; warnings: KeepalivedParseIssue[] };

/** keepalived's nesting of included files is bounded; so is ours, which also stops include cycles. */
const MAX_INCLUDE_DEPTH = 8;

type Token = { text: string; quoted: boolean };

/** Splits one line into tokens; `{` and `}` are tokens of their own; comments end the line. */
function tokenize(line: string): { tokens: Token[]; unterminated: boolean } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '!' || c === '#') {
      break;
    } else if (c === '{' || c === '}') {
      tokens.push({ text: c, quoted: false });
      i++;
    } else if (c === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) return { tokens, unterminated: true };
      tokens.push({ text: line.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else {
      let j = i;
      while (j < line.length && !' \t\r{}"'.includes(line[j] ?? ' ')) j++;
      tokens.push({ text: line.slice(i, j), quoted: false });
      i = j;
    }
  }
  return { tokens, unterminated: false };
}

type Frame = { statements: KeepalivedStatement[]; opener: KeepalivedStatement | null };

function parseFile(
  text: string,
  file: string,
  readInclude: IncludeReader | undefined,
  stack: readonly string[],
  errors: KeepalivedParseIssue[],
  warnings: KeepalivedParseIssue[],
): KeepalivedStatement[] {
  const root: Frame = { statements: [], opener: null };
  const frames: Frame[] = [root];
  const top = (): Frame => frames[frames.length - 1] ?? root;
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    const { tokens, unterminated } = tokenize(raw);
    if (unterminated) errors.push({ file, line, message: 'unterminated quoted string' });
    let pending: Token[] = [];
    const flush = (): KeepalivedStatement | null => {
      const [head, ...rest] = pending;
      pending = [];
      if (!head) return null;
      const st: KeepalivedStatement = { keyword: head.text, args: rest.map((t) => t.text), file, line };
      if (st.keyword === 'include' && !head.quoted) {
        top().statements.push(...includeFiles(st));
        return null;
      }
      top().statements.push(st);
      return st;
    };
    const includeFiles = (st: KeepalivedStatement): KeepalivedStatement[] => {
      const pattern = st.args[0];
      if (pattern === undefined || st.args.length > 1) {
        errors.push({ file, line, message: 'include takes exactly one file or pattern' });
        return [];
      }
      if (!readInclude) {
        errors.push({ file, line, message: `include "${pattern}" needs a file reader` });
        return [];
      }
      if (stack.length >= MAX_INCLUDE_DEPTH) {
        errors.push({ file, line, message: `include "${pattern}" nests deeper than ${MAX_INCLUDE_DEPTH} files` });
        return [];
      }
      const files = readInclude(pattern, file);
      if (files.length === 0) warnings.push({ file, line, message: `include "${pattern}" matched no file` });
      return files.flatMap((f) => {
        if (stack.includes(f.path)) {
          errors.push({ file, line, message: `include cycle: ${[...stack, f.path].join(' -> ')}` });
          return [];
        }
        return parseFile(f.text, f.path, readInclude, [...stack, f.path], errors, warnings);
      });
    };
    for (const t of tokens) {
      if (!t.quoted && t.text === '{') {
        // `{` opens a block for the statement before it: on this line, or the last one written.
        const opener = flush() ?? top().statements[top().statements.length - 1] ?? null;
        if (!opener || opener.block) {
          errors.push({ file, line, message: '"{" without a keyword to open' });
          frames.push({ statements: [], opener: null });
        } else {
          opener.block = [];
          frames.push({ statements: opener.block, opener });
        }
      } else if (!t.quoted && t.text === '}') {
        flush();
        if (frames.length === 1) errors.push({ file, line, message: 'unbalanced "}"' });
        else frames.pop();
      } else {
        pending.push(t);
      }
    }
    flush();
  });
  for (const f of frames.slice(1)) {
    const at = f.opener ?? { file, line: lines.length };
    errors.push({ file: at.file, line: at.line, message: `block "${f.opener?.keyword ?? ''}" is not closed` });
  }
  return root.statements;
}

/**
 * Parses keepalived.conf text into statements.
 *
 * @param text - the file's contents.
 * @param options - the file name for positions and the include reader.
 * @returns the statements (includes spliced in place), or every syntax error found. Never throws
 *   on malformed text.
 */
export function parseKeepalived(text: string, options: ParseKeepalivedOptions = {}): ParseKeepalivedResult {
  const file = options.file ?? 'keepalived.conf';
  const errors: KeepalivedParseIssue[] = [];
  const warnings: KeepalivedParseIssue[] = [];
  const statements = parseFile(text, file, options.readInclude, [file], errors, warnings);
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, statements, warnings };
}

/**
 * Splits a keepalived `script` command into argv the way keepalived does: on whitespace, with
 * single or double quotes grouping words.
 *
 * @param command - the `script` argument.
 * @returns the words, or null when a quote is not closed.
 */
export function splitScriptCommand(command: string): string[] | null {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | null = null;
  for (const c of command) {
    if (quote) {
      if (c === quote) quote = null;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) return null;
  if (inWord) words.push(cur);
  return words;
}
