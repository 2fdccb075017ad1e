import { DomainError } from '../../src/platform/http/domain-error.js';
import { FILTER_LIMITS, parseFilter, validateFilter } from '../../src/platform/query/index.js';

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('parseFilter', () => {
  it('parses the design example', () => {
    expect(
      parseFilter("lastName eq 'Smith' and (score ge 50 or account.industry in ('saas','fintech'))"),
    ).toEqual({
      and: [
        { lastName: { eq: 'Smith' } },
        { or: [{ score: { ge: 50 } }, { 'account.industry': { in: ['saas', 'fintech'] } }] },
      ],
    });
  });

  it('gives not > and > or precedence', () => {
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toEqual({
      or: [{ a: { eq: 1 } }, { and: [{ b: { eq: 2 } }, { c: { eq: 3 } }] }],
    });
    expect(parseFilter('not a eq 1 and b eq 2')).toEqual({
      and: [{ not: { a: { eq: 1 } } }, { b: { eq: 2 } }],
    });
    expect(parseFilter('not (a eq 1 or b eq 2)')).toEqual({
      not: { or: [{ a: { eq: 1 } }, { b: { eq: 2 } }] },
    });
    expect(parseFilter('(a eq 1 or b eq 2) and c eq 3')).toEqual({
      and: [{ or: [{ a: { eq: 1 } }, { b: { eq: 2 } }] }, { c: { eq: 3 } }],
    });
    expect(parseFilter('not not a eq 1')).toEqual({ not: { not: { a: { eq: 1 } } } });
    expect(parseFilter('a eq 1 and b eq 2 and c eq 3')).toEqual({
      and: [{ a: { eq: 1 } }, { b: { eq: 2 } }, { c: { eq: 3 } }],
    });
  });

  it('parses every operator', () => {
    for (const op of ['eq', 'ne', 'gt', 'ge', 'lt', 'le'])
      expect(parseFilter(`x ${op} 5`)).toEqual({ x: { [op]: 5 } });
    for (const op of ['contains', 'startswith', 'endswith'])
      expect(parseFilter(`x ${op} 'ab'`)).toEqual({ x: { [op]: 'ab' } });
    expect(parseFilter("x in ('a', 2, true)")).toEqual({ x: { in: ['a', 2, true] } });
    expect(parseFilter('x in (1)')).toEqual({ x: { in: [1] } });
    expect(parseFilter('x is null')).toEqual({ x: { isNull: true } });
    expect(parseFilter('x is not null')).toEqual({ x: { isNull: false } });
    expect(parseFilter("contacts any (email endswith '@acme.com')")).toEqual({
      contacts: { any: { email: { endswith: '@acme.com' } } },
    });
    expect(parseFilter("contacts any (email eq 'a' or activities any (type eq 'call'))")).toEqual({
      contacts: { any: { or: [{ email: { eq: 'a' } }, { activities: { any: { type: { eq: 'call' } } } }] } },
    });
  });

  it('parses literals', () => {
    expect(parseFilter("x eq 'it''s'")).toEqual({ x: { eq: "it's" } });
    expect(parseFilter("x eq ''")).toEqual({ x: { eq: '' } });
    expect(parseFilter("x eq ''''")).toEqual({ x: { eq: "'" } });
    expect(parseFilter("x eq 'a\\b\"c%_'")).toEqual({ x: { eq: 'a\\b"c%_' } });
    expect(parseFilter('x eq -12')).toEqual({ x: { eq: -12 } });
    expect(parseFilter('x eq 3.25')).toEqual({ x: { eq: 3.25 } });
    expect(parseFilter('x eq -0.5')).toEqual({ x: { eq: -0.5 } });
    expect(parseFilter('x eq -0')).toEqual({ x: { eq: 0 } });
    expect(parseFilter('x eq true')).toEqual({ x: { eq: true } });
    expect(parseFilter('x eq FALSE')).toEqual({ x: { eq: false } });
    expect(parseFilter('x eq null')).toEqual({ x: { eq: null } });
    expect(parseFilter('x ne Null')).toEqual({ x: { ne: null } });
    expect(parseFilter("x eq 'ünïcødé ✓ 😀'")).toEqual({ x: { eq: 'ünïcødé ✓ 😀' } });
  });

  it('treats keywords case-insensitively but keeps field names as written', () => {
    expect(parseFilter("LastName EQ 'a' AND NOT x IS NOT NULL OR y In (1)")).toEqual({
      or: [{ and: [{ LastName: { eq: 'a' } }, { not: { x: { isNull: false } } }] }, { y: { in: [1] } }],
    });
    expect(parseFilter("contacts ANY (x StartsWith 'a')")).toEqual({
      contacts: { any: { x: { startswith: 'a' } } },
    });
  });

  it('accepts paths and whitespace', () => {
    expect(parseFilter("  account.parent.industry\n eq\t'x'  ")).toEqual({
      'account.parent.industry': { eq: 'x' },
    });
    expect(parseFilter("(((a eq 'x')))")).toEqual({ a: { eq: 'x' } });
  });

  it.each([
    ['', /filter is empty/],
    ['   ', /filter is empty/],
    ['lastName', /position 9: expected an operator after 'lastName'/],
    ["lastName eq 'Smith", /position 13: unterminated string/],
    ['lastName foo 1', /position 10: expected an operator after 'lastName'.*found 'foo'/],
    ["lastName eq 'a' and", /position 20: expected a field name, 'not' or '\(', found the end of the filter/],
    ["(lastName eq 'a'", /position 17: expected '\)', found the end of the filter/],
    ["lastName eq 'a')", /position 16: unbalanced '\)'/],
    [
      "lastName eq 'a' lastName eq 'b'",
      /position 17: expected 'and', 'or' or the end of the filter, found 'lastName'/,
    ],
    ['x eq', /position 5: expected a value after 'eq'/],
    ['x eq y', /position 6: expected a value after 'eq'.*found 'y'/],
    ['x in 1', /position 6: expected '\(' after 'in'/],
    ['x in ()', /position 7: expected a value after 'in'/],
    ['x in (1 2)', /position 9: expected ',' or '\)' in the 'in' list/],
    ['x in (1, null)', /position 10: null is not allowed in an 'in' list/],
    ['x contains 5', /position 12: expected a quoted string after 'contains'/],
    ['x is 5', /position 6: expected 'null' after 'is'/],
    ['x is not 5', /position 10: expected 'null' after 'is not'/],
    ['contacts any email eq 1', /position 14: expected '\(' after 'any'/],
    ['x eq 5abc', /position 6: malformed number '5a'/],
    ['x eq 1.', /position 6: malformed number '1\.'/],
    ['x eq "a"', /position 6: unexpected character '"' \(strings use single quotes\)/],
    ['x eq 1; drop table contacts', /position 7: unexpected character ';'/],
    ['account. eq 1', /position 9: expected a field name after '\.'/],
    ['eq eq 1', /position 1: expected a field name, 'not' or '\(', found 'eq'/],
    ['x eq 1 and or y eq 2', /position 12: expected a field name/],
    [`x eq ${'9'.repeat(400)}`, /position 6: number out of range/],
    ["x eq 'a\u0000b'", /position 6: string values may not contain the NUL character/],
  ])('rejects %j with a positioned message', (text, message) => {
    const err = errorOf(() => parseFilter(text));
    expect(err.code).toBe('INVALID_FILTER');
    expect(err.status).toBe(400);
    expect(err.detail).toMatch(message);
    expect(err.errors[0]).toMatchObject({ field: 'filter' });
  });

  it('enforces length, depth, term and list limits', () => {
    const long = `x eq '${'a'.repeat(FILTER_LIMITS.maxLength)}'`;
    expect(errorOf(() => parseFilter(long)).detail).toMatch(/longer than 10000 characters/);

    const deep = `${'('.repeat(40)}x eq 1${')'.repeat(40)}`;
    expect(errorOf(() => parseFilter(deep)).detail).toMatch(
      /position 33: filter nests deeper than 32 levels/,
    );
    const nots = `${'not '.repeat(40)}x eq 1`;
    expect(errorOf(() => parseFilter(nots)).detail).toMatch(/nests deeper than 32 levels/);
    expect(() => parseFilter(`${'('.repeat(30)}x eq 1${')'.repeat(30)}`)).not.toThrow();

    const many = Array.from({ length: 101 }, (_x, i) => `f${i} eq ${i}`).join(' or ');
    expect(errorOf(() => parseFilter(many)).detail).toMatch(/more than 100 conditions/);
    expect(() =>
      parseFilter(Array.from({ length: 100 }, (_x, i) => `f${i} eq ${i}`).join(' or ')),
    ).not.toThrow();

    const list = (n: number) => `x in (${Array.from({ length: n }, (_x, i) => i).join(',')})`;
    expect(() => parseFilter(list(500))).not.toThrow();
    expect(errorOf(() => parseFilter(list(501))).detail).toMatch(/at most 500 values/);

    expect(errorOf(() => parseFilter(`x eq '${'a'.repeat(1001)}'`)).detail).toMatch(
      /limited to 1000 characters/,
    );
  });
});

describe('validateFilter (JSON AST)', () => {
  it('accepts the documented forms', () => {
    const ast = {
      and: [
        { lastName: { eq: 'Smith' } },
        { or: [{ 'account.industry': { in: ['saas'] } }, { not: { email: { isNull: true } } }] },
        { contacts: { any: { email: { endswith: '@acme.com' } } } },
        { employees: { ge: 1, lt: 10 }, name: { startswith: 'A' } },
        { email: { eq: null } },
      ],
    };
    expect(validateFilter(ast)).toBe(ast);
    expect(validateFilter(JSON.parse('{"__proto__": {"eq": 1}}'))).toBeDefined();
    expect(validateFilter(Object.assign(Object.create(null), { x: { eq: 1 } }))).toBeDefined();
  });

  it.each([
    [null, /expected a filter object/],
    [[], /expected a filter object/],
    ['x eq 1', /expected a filter object/],
    [{}, /empty filter object/],
    [{ and: [] }, /filter\.and: expected a non-empty list/],
    [{ and: {} }, /filter\.and: expected a non-empty list/],
    [{ or: [{ x: { eq: 1 } }, 5] }, /filter\.or\[1\]: expected a filter object/],
    [{ not: [] }, /filter\.not: expected a filter object/],
    [{ 'a..b': { eq: 1 } }, /"a\.\.b" is not a valid field path/],
    [{ 'a b': { eq: 1 } }, /is not a valid field path/],
    [{ 'a.b.c.d.e': { eq: 1 } }, /is not a valid field path/],
    [{ x: 5 }, /filter\.x: expected a condition object/],
    [{ x: {} }, /filter\.x: empty condition/],
    [{ x: { like: 'a' } }, /unknown operator "like"/],
    [{ x: { any: {}, eq: 1 } }, /any cannot be combined/],
    [{ x: { gt: null } }, /gt needs a value; null is only allowed with eq and ne/],
    [{ x: { eq: {} } }, /expected a string, number, boolean or null/],
    [{ x: { eq: [1] } }, /expected a string, number, boolean or null/],
    [{ x: { in: [] } }, /in needs 1 to 500 values, got 0/],
    [{ x: { in: 'a' } }, /in needs a list of values/],
    [{ x: { in: [1, null] } }, /in lists may not contain null/],
    [{ x: { contains: 5 } }, /contains needs a string/],
    [{ x: { isNull: 'yes' } }, /isNull needs true or false/],
    [{ x: { eq: 'a\u0000' } }, /NUL character/],
    [{ x: { eq: 'a'.repeat(1001) } }, /limited to 1000 characters/],
  ])('rejects %j', (input, message) => {
    const err = errorOf(() => validateFilter(input));
    expect(err.code).toBe('INVALID_FILTER');
    expect(err.detail).toMatch(message);
  });

  it('limits depth and terms', () => {
    let deep: unknown = { x: { eq: 1 } };
    for (let i = 0; i < 40; i += 1) deep = { not: deep };
    expect(errorOf(() => validateFilter(deep)).detail).toMatch(/deeper than 32/);
    const many = { or: Array.from({ length: 101 }, (_x, i) => ({ [`f${i}`]: { eq: i } })) };
    expect(errorOf(() => validateFilter(many)).detail).toMatch(/more than 100 conditions/);
  });
});
