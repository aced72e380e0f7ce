import { ConfigError } from '../../lib/config/errors';

test('one problem: one line under the heading, the value as JSON', () => {
  const error = new ConfigError([{ key: 'natGateways', value: 'abc', problem: 'must be a whole number', fix: 'write digits only, such as 1' }]);
  expect(error.name).toBe('ConfigError');
  expect(error.message).toBe('Invalid configuration:\n  - natGateways = "abc": must be a whole number. Fix: write digits only, such as 1');
});

test('several problems: counted in the heading, one line each; unset and long values shown readably', () => {
  const long = 'x'.repeat(200);
  const error = new ConfigError([
    { key: 'a', value: undefined, problem: 'p1', fix: 'f1' },
    { key: 'b', value: long, problem: 'p2', fix: 'f2' },
    { key: 'c', value: 'y'.repeat(118), problem: 'p3', fix: 'f3' },
  ]);
  expect(error.message.split('\n')).toEqual([
    'Invalid configuration (3 problems):',
    '  - a = (not set): p1. Fix: f1',
    `  - b = "${'x'.repeat(116)}...: p2. Fix: f2`,
    `  - c = "${'y'.repeat(118)}": p3. Fix: f3`,
  ]);
});
