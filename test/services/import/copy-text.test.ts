import { describe, expect, it } from 'vitest';

import { copyLine } from '../../../src/services/import/copy-text.ts';

describe('copyLine', () => {
  it('writes COPY text: tabs between values, \\N for NULL, specials escaped, plain values as they are', () => {
    expect(copyLine([1, 'Valley Lo - 20', null, 41.5, true])).toBe('1\tValley Lo - 20\t\\N\t41.5\ttrue\n');
    expect(copyLine(['O\\Brien', 'a\tb', 'c\nd', 'e\rf', '\\\\'])).toBe(
      'O\\\\Brien\ta\\tb\tc\\nd\te\\rf\t\\\\\\\\\n',
    );
  });
});
