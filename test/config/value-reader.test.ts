import { ConfigIssue } from '../../lib/config/errors';
import { ValueReader } from '../../lib/config/value-reader';

/** A reader over `values`, and the issues it records. */
function readerOf(values: Record<string, unknown>, prefix?: string) {
  const issues: ConfigIssue[] = [];
  return { reader: new ValueReader((key) => values[key], issues, prefix), issues };
}

describe('string', () => {
  test('trimmed; unset, null and empty are undefined unless empty is allowed', () => {
    const { reader, issues } = readerOf({ a: '  x  ', n: null, e: '' });
    expect([reader.string('a'), reader.string('n'), reader.string('e'), reader.string('missing')]).toEqual(['x', undefined, undefined, undefined]);
    expect(reader.string('e', true)).toBe('');
    expect(issues).toEqual([]);
  });
  test('a number is refused with the key, the value and the fix', () => {
    const { reader, issues } = readerOf({ a: 3 }, 'nodeGroups[1].');
    expect(reader.string('a')).toBeUndefined();
    expect(issues).toEqual([{ key: 'nodeGroups[1].a', value: 3, problem: 'must be a string', fix: 'quote the value' }]);
  });
});

describe('integer', () => {
  test('digits as a string or a number, negative too; the fallback when unset', () => {
    const { reader, issues } = readerOf({ s: ' 12 ', n: 7, neg: '-3' });
    expect([reader.integer('s'), reader.integer('n'), reader.integer('neg'), reader.integer('missing', 5), reader.integer('missing')]).toEqual([12, 7, -3, 5, undefined]);
    expect(issues).toEqual([]);
  });
  test.each([['1.5'], ['12abc'], ['abc1'], [1.5], [true], ['']])('%p is refused', (value) => {
    const { reader, issues } = readerOf({ k: value });
    expect(reader.integer('k', 1)).toBeUndefined();
    expect(issues).toEqual([{ key: 'k', value, problem: 'must be a whole number', fix: 'write digits only, such as 1' }]);
  });
});

describe('boolean', () => {
  test('true/false as booleans or strings; the fallback when unset', () => {
    const { reader, issues } = readerOf({ t: 'true', f: 'false', tb: true, fb: false });
    expect([reader.boolean('t', false), reader.boolean('f', true), reader.boolean('tb', false), reader.boolean('fb', true), reader.boolean('missing', true)]).toEqual([true, false, true, false, true]);
    expect(issues).toEqual([]);
  });
  test('anything else is refused', () => {
    const { reader, issues } = readerOf({ b: 'yes' });
    expect(reader.boolean('b', true)).toBeUndefined();
    expect(issues).toEqual([{ key: 'b', value: 'yes', problem: 'must be true or false', fix: 'write true or false' }]);
  });
});

describe('oneOf', () => {
  const allowed = ['AL2', 'AL2023'] as const;
  test('an allowed value, or the fallback when unset', () => {
    const { reader } = readerOf({ a: 'AL2023' });
    expect([reader.oneOf('a', allowed, 'AL2'), reader.oneOf('missing', allowed, 'AL2')]).toEqual(['AL2023', 'AL2']);
  });
  test('a wrong case is refused with the spelling to write; other values with the list', () => {
    const { reader, issues } = readerOf({ up: 'al2023', low: 'ARM64', other: 'X', num: 2 });
    expect(reader.oneOf('up', allowed, 'AL2', 'upper')).toBeUndefined();
    expect(reader.oneOf('low', ['arm64', 'amd64'], 'arm64', 'lower')).toBeUndefined();
    expect(reader.oneOf('other', allowed, 'AL2', 'upper')).toBeUndefined();
    expect(reader.oneOf('num', allowed, 'AL2')).toBeUndefined();
    expect(issues).toEqual([
      { key: 'up', value: 'al2023', problem: 'not one of "AL2", "AL2023"', fix: 'write "AL2023"' },
      { key: 'low', value: 'ARM64', problem: 'not one of "arm64", "amd64"', fix: 'write "arm64"' },
      { key: 'other', value: 'X', problem: 'not one of "AL2", "AL2023"', fix: 'use one of AL2, AL2023' },
      { key: 'num', value: 2, problem: 'not one of "AL2", "AL2023"', fix: 'use one of AL2, AL2023' },
    ]);
  });
  test('without normalize, a wrong case gets the list', () => {
    const { reader, issues } = readerOf({ up: 'al2023' });
    reader.oneOf('up', allowed, 'AL2');
    expect(issues[0].fix).toBe('use one of AL2, AL2023');
  });
});

describe('list, stringArray, json', () => {
  test('a list from a JSON array or a comma-separated string, trimmed, without empty items; the fallback when unset', () => {
    const { reader, issues } = readerOf({ arr: [' a ', '', 'b'], str: ' a, ,b ,' });
    expect([reader.list('arr', 'x'), reader.list('str', 'x'), reader.list('missing', 'main,release/*')]).toEqual([['a', 'b'], ['a', 'b'], ['main', 'release/*']]);
    expect(issues).toEqual([]);
  });
  test('a list of something else is refused', () => {
    const { reader, issues } = readerOf({ nums: [1, 2], obj: { a: 1 } });
    expect([reader.list('nums', ''), reader.list('obj', '')]).toEqual([[], []]);
    expect(issues).toEqual([
      { key: 'nums', value: [1, 2], problem: 'must be a comma-separated string or a JSON array of strings', fix: 'write it like "a,b"' },
      { key: 'obj', value: { a: 1 }, problem: 'must be a comma-separated string or a JSON array of strings', fix: 'write it like "a,b"' },
    ]);
  });
  test('a string array as given, or refused', () => {
    const { reader, issues } = readerOf({ ok: ['m7g.large'], bad: ['m7g.large', 1], str: 'm7g.large' });
    expect([reader.stringArray('ok'), reader.stringArray('missing'), reader.stringArray('bad'), reader.stringArray('str')]).toEqual([['m7g.large'], undefined, undefined, undefined]);
    expect(issues.map((i) => [i.key, i.problem, i.fix])).toEqual([
      ['bad', 'must be a JSON array of strings', 'write it like ["m7g.large"]'],
      ['str', 'must be a JSON array of strings', 'write it like ["m7g.large"]'],
    ]);
  });
  test('JSON from cdk.json as is, from -c parsed, the fallback when unset; bad JSON names the shell quoting', () => {
    const { reader, issues } = readerOf({ obj: [{ a: 1 }], str: '[{"a":1}]', bad: '[{a:1}]' });
    expect([reader.json('obj', null), reader.json('str', null), reader.json('missing', 'fb')]).toEqual([[{ a: 1 }], [{ a: 1 }], 'fb']);
    expect(reader.json('bad', null)).toBeUndefined();
    expect(issues).toEqual([{
      key: 'bad', value: '[{a:1}]', problem: expect.stringMatching(/^not valid JSON \(.+\)$/),
      fix: 'quote the whole value for the shell: -c bad=\'[{"name":...}]\'',
    }]);
  });
  test('raw returns the value untouched', () => {
    expect(readerOf({ r: [1] }).reader.raw('r')).toEqual([1]);
  });
});
