import { describe, expect, it } from 'vitest';
import { timestampKey } from '../../../../providers/scanner/osv/timestamp.js';

describe('modified times, compared exactly', () => {
  it('keys sort in time order, to the nanosecond, whatever the offset', () => {
    const times = ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000001Z', '2024-01-01T00:00:00.0000011Z', '2024-01-01T01:30:00.5+01:00', '2024-01-01T00:30:00.6Z', '2023-12-31T23:00:00-02:00'];
    const keys = times.map((t) => timestampKey(t)!);
    expect(keys).toEqual([
      '2024-01-01T00:00:00.000000000Z', '2024-01-01T00:00:00.000001000Z', '2024-01-01T00:00:00.000001100Z', '2024-01-01T00:30:00.500000000Z', '2024-01-01T00:30:00.600000000Z', '2024-01-01T01:00:00.000000000Z',
    ]);
    expect([...keys].sort()).toEqual(keys);
  });

  it('refuses what is not an RFC 3339 time', () => {
    for (const bad of ['', '2024-01-01', '2024-13-01T00:00:00Z', '2023-02-29T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00', '2024-01-01T00:00:00+25:00', 'yesterday', 20240101, null]) {
      expect(timestampKey(bad), String(bad)).toBeNull();
    }
    expect(timestampKey('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000000000Z');
  });
});
