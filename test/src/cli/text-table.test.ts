import t from 'tap';
import { textTable } from '../../../src/cli/text-table.js';

t.test('columns are padded to their widest cell between box-drawing borders', async (t) => {
  t.equal(
    textTable(['metric', 'status'], [['revenue', 'Passed'], ['n', 'Failed']]),
    ['┌─────────┬────────┐', '│ metric  │ status │', '├─────────┼────────┤', '│ revenue │ Passed │', '│ n       │ Failed │', '└─────────┴────────┘'].join('\n'),
  );
});

t.test('a table without rows is its head alone', async (t) => {
  t.equal(textTable(['a'], []), ['┌───┐', '│ a │', '└───┘'].join('\n'));
});

t.test('width counts code points, so a letter outside the BMP or with an accent keeps the borders aligned', async (t) => {
  const lines = textTable(['v'], [['é'], ['𝔸x'], ['abc']]).split('\n');
  t.same(new Set(lines.map((line) => [...line].length)), new Set([7]));
});

t.test('a row with fewer cells than the head is padded with empty cells', async (t) => {
  t.equal(textTable(['a', 'b'], [['x']]).split('\n')[3], '│ x │   │');
});
