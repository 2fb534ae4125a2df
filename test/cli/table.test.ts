import { describe, expect, it } from 'vitest';
import { table } from '../../cli/table.js';

describe('table', () => {
  it('right-aligns numeric columns, indents, and draws a rule when asked', () => {
    expect(
      table(
        ['name', 'dB'],
        [
          ['a', '1.5'],
          ['long', '-20.0'],
        ],
        '  ',
      ),
    ).toBe(['  name     dB', '  a       1.5', '  long  -20.0'].join('\n'));
    expect(table(['k', 'v'], [['x', '7']], { numeric: [false, false], rule: true })).toBe(
      ['k  v', '-  -', 'x  7'].join('\n'),
    );
  });
});
