import { describe, expect, it } from 'vitest';

import { BoundedMemo } from '../../src/sources/bounded-memo.ts';

describe('BoundedMemo', () => {
  it('answers what it remembers and never holds more than its capacity', () => {
    const memo = new BoundedMemo<number>(3);
    for (let i = 0; i < 10; i++) {
      expect(memo.get(`k${i}`)).toBeUndefined();
      expect(memo.remember(`k${i}`, i)).toBe(i);
      expect(memo.get(`k${i}`)).toBe(i);
      const held = Array.from({ length: 10 }, (_, j) => memo.get(`k${j}`)).filter((v) => v !== undefined);
      expect(held.length).toBeLessThanOrEqual(3);
    }
  });
});
