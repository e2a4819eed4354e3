import t from 'tap';
import { toCsv } from '../src/csv.js';

t.test('cells that start like a formula get a single quote and quotes; numbers stay numbers', async (t) => {
  const rows = [
    { a: '=HYPERLINK("http://x","y")', b: -1500, c: '-1500' },
    { a: '+cmd|\' /C calc\'!A0', b: 0, c: '@SUM(A1)' },
    { a: '\t=1', b: -0.5, c: '\r=1' },
    { a: 'plain, text', b: 12n, c: 'a-b=c+d@e' },
  ];
  const lines = toCsv(['a', 'b', 'c'], rows).replace(/^\uFEFF/, '').split('\r\n');
  t.same(lines, [
    'a,b,c',
    `"'=HYPERLINK(""http://x"",""y"")",-1500,"'-1500"`,
    `"'+cmd|' /C calc'!A0",0,"'@SUM(A1)"`,
    `"'\t=1",-0.5,"'\r=1"`,
    '"plain, text",12,a-b=c+d@e',
    '',
  ]);
});
