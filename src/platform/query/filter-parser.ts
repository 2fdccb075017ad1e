/**
 * Recursive-descent parser for the filter string grammar (docs/query-language.md):
 *
 *   filter     = or-expr EOF
 *   or-expr    = and-expr { "or" and-expr }
 *   and-expr   = unary { "and" unary }
 *   unary      = "not" unary | primary
 *   primary    = "(" or-expr ")" | predicate
 *   predicate  = path ( cmp-op literal
 *                     | "in" "(" literal { "," literal } ")"
 *                     | str-op string
 *                     | "is" [ "not" ] "null"
 *                     | "any" "(" or-expr ")" )
 *   cmp-op     = "eq" | "ne" | "gt" | "ge" | "lt" | "le"
 *   str-op     = "contains" | "startswith" | "endswith"
 *   path       = name { "." name }          name = [A-Za-z_][A-Za-z0-9_]*
 *   literal    = string | number | "true" | "false" | "null"
 *   string     = "'" { any char except "'" | "''" } "'"
 *   number     = [ "-" ] digit { digit } [ "." digit { digit } ]
 *
 * Keywords are case-insensitive; field names are not. Precedence: not > and > or. Positions in
 * error messages are 1-based character offsets into the filter text.
 */
import type { Condition, FilterNode, Scalar } from './filter-ast.js';
import { FILTER_LIMITS, invalidFilter, validateFilter } from './filter-ast.js';

type Token =
  | { kind: 'name'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; text: string; pos: number }
  | { kind: '(' | ')' | ',' | 'eof'; pos: number };

const COMPARISON = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const STRING_OPS = new Set(['contains', 'startswith', 'endswith']);
const RESERVED = new Set([
  'and',
  'or',
  'not',
  'in',
  'is',
  'null',
  'true',
  'false',
  'any',
  ...COMPARISON,
  ...STRING_OPS,
]);

const syntaxError = (pos: number, message: string) =>
  invalidFilter(`invalid filter at position ${pos}: ${message}`, 'filter', 'SYNTAX');

function describe(tok: Token): string {
  switch (tok.kind) {
    case 'name':
      return `'${tok.text.length > 40 ? `${tok.text.slice(0, 37)}...` : tok.text}'`;
    case 'string':
      return 'a string';
    case 'number':
      return `the number ${tok.text.length > 40 ? `${tok.text.slice(0, 37)}...` : tok.text}`;
    case 'eof':
      return 'the end of the filter';
    default:
      return `'${tok.kind}'`;
  }
}

const NUMBER_RE = /-?\d+(\.\d+)?/y;
const NAME_RE = /[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i += 1;
      continue;
    }
    const pos = i + 1;
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, pos });
      i += 1;
      continue;
    }
    if (ch === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= n)
          throw syntaxError(pos, 'unterminated string (a quote inside a string is written as two quotes)');
        const c = text[j]!;
        if (c === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += c;
        j += 1;
      }
      if (value.length > FILTER_LIMITS.maxValueLength)
        throw syntaxError(pos, `string values are limited to ${FILTER_LIMITS.maxValueLength} characters`);
      if (value.includes('\u0000')) throw syntaxError(pos, 'string values may not contain the NUL character');
      tokens.push({ kind: 'string', value, pos });
      i = j + 1;
      continue;
    }
    NUMBER_RE.lastIndex = i;
    const nm = NUMBER_RE.exec(text);
    if (nm) {
      const raw = nm[0];
      const end = i + raw.length;
      if (end < n && /[A-Za-z0-9_.]/.test(text[end]!))
        throw syntaxError(pos, `malformed number '${text.slice(i, end + 1)}'`);
      const value = Number(raw);
      if (!Number.isFinite(value)) throw syntaxError(pos, 'number out of range');
      tokens.push({ kind: 'number', value: Object.is(value, -0) ? 0 : value, text: raw, pos });
      i = end;
      continue;
    }
    NAME_RE.lastIndex = i;
    const m = NAME_RE.exec(text);
    if (m) {
      const end = i + m[0].length;
      if (text[end] === '.') throw syntaxError(end + 2, `expected a field name after '.'`);
      tokens.push({ kind: 'name', text: m[0], pos });
      i = end;
      continue;
    }
    const shown = ch === '"' ? `'"' (strings use single quotes)` : `'${ch}'`;
    throw syntaxError(pos, `unexpected character ${shown}`);
  }
  tokens.push({ kind: 'eof', pos: n + 1 });
  return tokens;
}

class Parser {
  private index = 0;
  private terms = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const tok = this.tokens[this.index]!;
    if (tok.kind !== 'eof') this.index += 1;
    return tok;
  }

  private keyword(tok: Token): string | undefined {
    return tok.kind === 'name' ? tok.text.toLowerCase() : undefined;
  }

  private isKeyword(tok: Token, word: string): boolean {
    return this.keyword(tok) === word;
  }

  private expect(kind: '(' | ')' | ',', what: string): Token {
    const tok = this.next();
    if (tok.kind !== kind) throw syntaxError(tok.pos, `expected ${what}, found ${describe(tok)}`);
    return tok;
  }

  private enter(depth: number, pos: number): number {
    if (depth > FILTER_LIMITS.maxDepth)
      throw invalidFilter(
        `invalid filter at position ${pos}: filter nests deeper than ${FILTER_LIMITS.maxDepth} levels`,
        'filter',
        'TOO_DEEP',
      );
    return depth;
  }

  parse(): FilterNode {
    const node = this.orExpr(0);
    const tok = this.peek();
    if (tok.kind !== 'eof') {
      const hint =
        tok.kind === ')'
          ? "unbalanced ')'"
          : `expected 'and', 'or' or the end of the filter, found ${describe(tok)}`;
      throw syntaxError(tok.pos, hint);
    }
    return node;
  }

  private orExpr(depth: number): FilterNode {
    const items = [this.andExpr(depth)];
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      items.push(this.andExpr(depth));
    }
    return items.length === 1 ? items[0]! : { or: items };
  }

  private andExpr(depth: number): FilterNode {
    const items = [this.unary(depth)];
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      items.push(this.unary(depth));
    }
    return items.length === 1 ? items[0]! : { and: items };
  }

  private unary(depth: number): FilterNode {
    const tok = this.peek();
    if (this.isKeyword(tok, 'not')) {
      this.next();
      return { not: this.unary(this.enter(depth + 1, tok.pos)) };
    }
    return this.primary(depth);
  }

  private primary(depth: number): FilterNode {
    const tok = this.peek();
    if (tok.kind === '(') {
      this.next();
      const inner = this.orExpr(this.enter(depth + 1, tok.pos));
      this.expect(')', "')'");
      return inner;
    }
    if (tok.kind !== 'name' || RESERVED.has(tok.text.toLowerCase()))
      throw syntaxError(tok.pos, `expected a field name, 'not' or '(', found ${describe(tok)}`);
    this.next();
    return this.predicate(tok.text, tok.pos, depth);
  }

  private countTerm(pos: number): void {
    this.terms += 1;
    if (this.terms > FILTER_LIMITS.maxTerms)
      throw invalidFilter(
        `invalid filter at position ${pos}: filter has more than ${FILTER_LIMITS.maxTerms} conditions`,
        'filter',
        'TOO_MANY_TERMS',
      );
  }

  private predicate(path: string, pathPos: number, depth: number): FilterNode {
    const opTok = this.next();
    const op = this.keyword(opTok);
    this.countTerm(pathPos);
    const node = (cond: Condition | { any: FilterNode }): FilterNode => ({ [path]: cond });
    if (op && COMPARISON.has(op)) {
      const value = this.literal(op);
      return node({ [op]: value });
    }
    if (op && STRING_OPS.has(op)) {
      const tok = this.next();
      if (tok.kind !== 'string')
        throw syntaxError(tok.pos, `expected a quoted string after '${op}', found ${describe(tok)}`);
      return node({ [op]: tok.value });
    }
    if (op === 'in') {
      this.expect('(', "'(' after 'in'");
      const values: Scalar[] = [];
      for (;;) {
        const at = this.peek().pos;
        const value = this.literal('in');
        if (value === null) throw syntaxError(at, "null is not allowed in an 'in' list; use 'is null'");
        values.push(value);
        if (values.length > FILTER_LIMITS.maxInItems)
          throw syntaxError(at, `an 'in' list may hold at most ${FILTER_LIMITS.maxInItems} values`);
        const sep = this.next();
        if (sep.kind === ')') break;
        if (sep.kind !== ',')
          throw syntaxError(sep.pos, `expected ',' or ')' in the 'in' list, found ${describe(sep)}`);
      }
      return node({ in: values });
    }
    if (op === 'is') {
      let negated = false;
      if (this.isKeyword(this.peek(), 'not')) {
        this.next();
        negated = true;
      }
      const tok = this.next();
      if (!this.isKeyword(tok, 'null'))
        throw syntaxError(
          tok.pos,
          `expected 'null' after '${negated ? 'is not' : 'is'}', found ${describe(tok)}`,
        );
      return node({ isNull: !negated });
    }
    if (op === 'any') {
      const open = this.expect('(', "'(' after 'any'");
      const inner = this.orExpr(this.enter(depth + 1, open.pos));
      this.expect(')', "')' closing 'any ('");
      return node({ any: inner });
    }
    throw syntaxError(
      opTok.pos,
      `expected an operator after '${path}' (eq, ne, gt, ge, lt, le, in, contains, startswith, endswith, is null, is not null, any), found ${describe(opTok)}`,
    );
  }

  private literal(after: string): Scalar {
    const tok = this.next();
    switch (tok.kind) {
      case 'string':
        return tok.value;
      case 'number':
        return tok.value;
      case 'name': {
        const word = tok.text.toLowerCase();
        if (word === 'true') return true;
        if (word === 'false') return false;
        if (word === 'null') return null;
        throw syntaxError(
          tok.pos,
          `expected a value after '${after}' (a 'quoted string', a number, true, false or null), found ${describe(tok)}`,
        );
      }
      default:
        throw syntaxError(
          tok.pos,
          `expected a value after '${after}' (a 'quoted string', a number, true, false or null), found ${describe(tok)}`,
        );
    }
  }
}

/** Parses a filter string into the JSON AST; throws INVALID_FILTER (400) with the position. */
export function parseFilter(text: string): FilterNode {
  if (typeof text !== 'string') throw invalidFilter('filter must be a string');
  if (text.length > FILTER_LIMITS.maxLength)
    throw invalidFilter(`filter is longer than ${FILTER_LIMITS.maxLength} characters`, 'filter', 'TOO_LONG');
  if (text.trim().length === 0) throw invalidFilter('filter is empty', 'filter', 'SYNTAX');
  const node = new Parser(tokenize(text)).parse();
  // The parser only builds valid trees; validating again keeps one source of truth for limits.
  return validateFilter(node);
}
