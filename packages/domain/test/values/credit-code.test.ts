import t from 'tap';
import { CreditCode, creditCodeCheckChar, creditCodeProblem, isCreditCode } from '../../src/values/credit-code.js';
import { codes } from '../fixtures/fixtures.js';

t.test('known-good codes pass', async (t) => {
  for (const code of Object.values(codes)) t.ok(isCreditCode(code), code);
});

t.test('the check character is computed per GB 32100-2015', async (t) => {
  t.equal(creditCodeCheckChar('91331000MA28A1B2C'), 'Y');
  t.equal(creditCodeCheckChar('9144030071526726X'), 'G');
  t.equal(creditCodeCheckChar('91330000MA28XXXXX'), 'N');
  t.equal(creditCodeCheckChar('91331000MA28A1B2'), null, 'needs 17 characters');
  t.equal(creditCodeCheckChar('91331000MA28A1B2I'), null, 'I is not in the charset');
});

t.test('a real-looking code with a wrong check character fails', async (t) => {
  for (const check of ['0', 'X', 'A', 'Y']) {
    const code = `91330000MA28XXXXX${check}`;
    t.notOk(isCreditCode(code), code);
    t.match(creditCodeProblem(code), /check character should be "N"/);
  }
  t.ok(isCreditCode('91330000MA28XXXXXN'));
});

t.test('malformed codes say why', async (t) => {
  t.match(creditCodeProblem('91331000MA28A1B2C'), /18 characters/);
  t.match(creditCodeProblem('91331000MA28A1B2CYY'), /18 characters/);
  t.match(creditCodeProblem('91331000ma28a1b2cy'), /does not use/, 'lower case is not accepted');
  t.match(creditCodeProblem('91331000MO28A1B2CY'), /"O"/, 'O is excluded from the charset');
  t.match(creditCodeProblem('81331000MA28A1B2CY'), /registration department/);
  t.match(creditCodeProblem('94331000MA28A1B2CY'), /organisation category/);
  t.match(creditCodeProblem('91A31000MA28A1B2CY'), /region code/);
  t.match(creditCodeProblem('91331000MA28A1B2CX'), /check character/);
});

t.test('the zod schema reports the problem', async (t) => {
  t.equal(CreditCode.parse(codes.lead), codes.lead);
  const result = CreditCode.safeParse('91331000MA28A1B2CX');
  t.notOk(result.success);
  t.match(result.error?.issues[0]?.message, /invalid unified social credit code/);
  t.notOk(CreditCode.safeParse(913310001).success);
});
