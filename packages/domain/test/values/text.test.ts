import t from 'tap';
import { commandDataSchemas, lineText, programme, project, proseText } from '../../src/index.js';

t.test('a single-line field refuses every control character, line breaks and tabs included', async (t) => {
  const line = lineText(50);
  for (const bad of ['a\u0000b', 'a\nb', 'a\tb', 'a\rb', 'a\u007fb', 'a\u0085b', 'a\u009fb', 'x\u000b', '\u000cx', 'a\ud800b', 'a\udc00']) {
    t.notOk(line.safeParse(bad).success, JSON.stringify(bad));
  }
  t.equal(line.parse('  泵业 Pumps 😀  '), '泵业 Pumps 😀', 'surrounding spaces are trimmed; astral characters are whole');
});

t.test('a multi-line field allows line breaks and tabs only', async (t) => {
  const prose = proseText(100);
  t.equal(prose.parse('one\r\ntwo\n\tthree'), 'one\r\ntwo\n\tthree');
  for (const bad of ['a\u0000', 'a\u0001b', 'a\u001bb', 'a\u007f', 'a\u0080', 'a\ud83d']) t.notOk(prose.safeParse(bad).success, JSON.stringify(bad));
});

t.test('commands refuse what events recorded before the check still hold: old events keep replaying', async (t) => {
  const name = 'Programme\u0000 with a NUL and a\ttab';
  t.notOk(commandDataSchemas.LaunchProgramme.safeParse({ programmeId: 'p1', name, bureau: 'B', bureauCode: '331000', quota: 1 }).success, 'a command with it is refused');
  const recorded = { by: { id: 'alice', role: 'officer' }, at: '2018-05-01T02:00:00.000Z' };
  const launched = programme.eventSchemas.ProgrammeLaunched.safeParse({
    ...recorded, programmeId: 'p1', name, bureau: 'B\u0001', bureauCode: '331000', quota: 1, focusIndustries: ['a\nb'], policy: (commandDataSchemas.LaunchProgramme.parse({ programmeId: 'p1', name: 'n', bureau: 'b', bureauCode: '331000', quota: 1 })).policy,
  });
  t.ok(launched.success, `an event recorded with it still parses: ${launched.success ? '' : launched.error.message}`);
  const suspended = project.eventSchemas.ProjectSuspended.safeParse({ ...recorded, projectId: 'x1', reason: 'why\u0000' });
  t.ok(suspended.success, 'so does a reason');
});
