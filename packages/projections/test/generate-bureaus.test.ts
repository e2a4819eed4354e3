import t, { type Test } from 'tap';
import { BureauDirectory, bureauLevel, LEGACY_BUREAU_CODE, r2Ledger, r3Ledger, type BureauEvent } from '@gongguan/domain';
import { cities as zhejiangCities } from '../src/generate/divisions.js';
import { demoProvince, generateProvince, type GeneratedAppend, type ProvinceOptions } from '../src/generate/load.js';

/**
 * The generated province's bureaus: registered through the registry's decider before anything of
 * theirs; every programme launched by a registered bureau, every project of its programme's bureau
 * with its applicant's county under that bureau (and recommended only by that county's officers);
 * every ledger the programme bureau's own (a city's and a county's cap for the same enterprise and
 * year are two ledgers). Same seed, same province, whatever its shape.
 */

interface Flat {
  stream: string;
  type: string;
  id: string;
  data: Record<string, unknown>;
  actorId: string;
}

function generate(options: ProvinceOptions): Flat[] {
  const all: Flat[] = [];
  for (const appends of generateProvince(options) as Iterable<GeneratedAppend[]>) {
    for (const a of appends) for (const e of a.events) all.push({ stream: a.stream, type: e.type, id: e.id, data: e.data, actorId: e.metadata.actorId });
  }
  return all;
}

function checkBureaus(t: Test, events: Flat[], label: string): { directory: BureauDirectory; counties: Set<string> } {
  const registry = events.filter((e) => e.stream === 'bureaus-registry');
  const firstOther = events.findIndex((e) => e.stream !== 'bureaus-registry');
  t.ok(registry.length > 0 && events.slice(0, registry.length).every((e) => e.stream === 'bureaus-registry'), `${label}: the registry is written before anything else`);
  t.ok(firstOther === registry.length, `${label}: nothing of a bureau precedes its registration`);
  const directory = BureauDirectory.fromEvents(registry.map((e) => ({ type: e.type, data: e.data }) as BureauEvent));

  const programmes = new Map<string, string>();
  for (const e of events.filter((e) => e.type === 'ProgrammeLaunched')) programmes.set(String(e.data.programmeId), String(e.data.bureauCode));
  const unregistered = [...programmes].filter(([, code]) => !directory.isRegistered(code));
  t.same(unregistered, [], `${label}: every one of ${programmes.size} programmes has a registered bureau`);

  const projects = new Map<string, { bureauCode: string; countyCode: string | undefined }>();
  const wrong: string[] = [];
  const counties = new Set<string>();
  for (const e of events.filter((e) => e.type === 'ProjectSubmitted')) {
    const bureauCode = String(e.data.bureauCode);
    const countyCode = e.data.countyCode === undefined ? undefined : String(e.data.countyCode);
    projects.set(String(e.data.projectId), { bureauCode, countyCode });
    if (programmes.get(String(e.data.programmeId)) !== bureauCode) wrong.push(`${String(e.data.projectId)}: bureau ${bureauCode} is not its programme's`);
    if (countyCode === undefined) wrong.push(`${String(e.data.projectId)}: no county`);
    else {
      counties.add(countyCode);
      if (!directory.isRegistered(countyCode) || bureauLevel(countyCode) !== 'county') wrong.push(`${String(e.data.projectId)}: county ${countyCode} is not a registered county`);
      if (!directory.isWithin(countyCode, bureauCode)) wrong.push(`${String(e.data.projectId)}: county ${countyCode} is not under ${bureauCode}`);
    }
  }
  t.same(wrong, [], `${label}: ${projects.size} projects of their programme's bureau, each from a registered county under it`);

  const recommendations = events.filter((e) => e.type === 'ProjectRecommendedByCounty');
  t.ok(recommendations.length > 0, `${label}: ${recommendations.length} recommendations`);
  const badRecommendations = recommendations.filter((e) => {
    const p = projects.get(e.stream.slice('project-'.length));
    return p === undefined || bureauLevel(p.bureauCode) === 'county' || !e.actorId.startsWith(`officer-${p.countyCode}-`);
  });
  t.same(badRecommendations.map((e) => `${e.stream} by ${e.actorId}`), [], `${label}: recommended by an officer of the applicant's county, to a programme above it`);

  // Ledgers: each opened for its bureau, under the bureau's stream name; each assessed payment on its project's bureau's ledger.
  const ledgerWrong: string[] = [];
  for (const e of events.filter((e) => e.type === 'R2LedgerOpened' || e.type === 'R3LedgerOpened')) {
    const name = (e.type === 'R2LedgerOpened' ? r2Ledger : r3Ledger).streamName(String(e.data.bureauCode), String(e.data.creditCode), Number(e.data.year));
    if (name !== e.stream) ledgerWrong.push(`${e.stream} opened for ${String(e.data.bureauCode)}`);
    if (!directory.isRegistered(String(e.data.bureauCode))) ledgerWrong.push(`${e.stream}: bureau not registered`);
  }
  const ledgerBureau = new Map(events.filter((e) => e.type === 'R2LedgerOpened').map((e) => [e.stream, String(e.data.bureauCode)]));
  for (const e of events.filter((e) => e.type === 'R2PaymentAssessed')) {
    const owner = projects.get(String(e.data.projectId))?.bureauCode;
    if (ledgerBureau.get(e.stream) !== owner) ledgerWrong.push(`${e.stream}: payment of a project of ${String(owner)}`);
  }
  for (const e of events.filter((e) => e.type === 'DisbursementRequested')) {
    const ref = e.data.entitlement as { rule: string; bureauCode?: string; projectId?: string };
    if (ref.rule === 'R2' && (ref.bureauCode ?? LEGACY_BUREAU_CODE) !== projects.get(String(ref.projectId))?.bureauCode) ledgerWrong.push(`${e.stream} pays the ledger of ${String(ref.bureauCode)}`);
  }
  t.same(ledgerWrong, [], `${label}: ${ledgerBureau.size} R2 ledgers, each its programme bureau's own`);
  return { directory, counties };
}

t.test('the Taizhou demo (the default) registers its bureaus: the province, the city, its nine counties', async (t) => {
  const events = generate({ projects: 120, seed: 20180717 });
  const { directory, counties } = checkBureaus(t, events, 'Taizhou');
  t.same(
    directory.all().map((b) => b.code),
    ['330000', '331000', ...zhejiangCities.find((c) => c.code === '331000')!.counties.map((c) => c.code)],
  );
  t.equal(directory.nameOf('331000'), '台州市科学技术局');
  t.equal(directory.pathOf('331002'), '330000.331000.331002');
  t.equal(counties.size, 9, 'applicants from all nine counties');
  const ids = new Set(events.filter((e) => e.type === 'ProgrammeLaunched').map((e) => String(e.data.programmeId).replace(/-\d{4}$/, '')));
  t.same([...ids].sort(), ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'tz'], 'the demo keeps its programme ids');
  t.ok(events.some((e) => e.stream.startsWith('subsidy-331002-') || e.stream.startsWith('subsidy-3310')), 'county programmes pay from the county ledgers');
});

t.test("pnpm seed's province: cities and counties run programmes; a city's and a county's caps are separate ledgers", async (t) => {
  const events = generate({ ...demoProvince, projects: 400, seed: 5 });
  const { directory } = checkBureaus(t, events, 'demo');
  t.equal(directory.all().length, 1 + 3 + 9);
  const launchers = new Set(events.filter((e) => e.type === 'ProgrammeLaunched').map((e) => String(e.data.bureauCode)));
  t.same([...launchers].sort(), directory.all().filter((b) => b.level !== 'province').map((b) => b.code).sort(), 'every city and county launched programmes');
  // The same enterprise, the same year: a city ledger and a county ledger, each with its own cap.
  const ledgers = events.filter((e) => e.type === 'R2LedgerOpened').map((e) => ({ bureau: String(e.data.bureauCode), key: `${String(e.data.creditCode)}-${String(e.data.year)}` }));
  const both = ledgers.filter((a) => bureauLevel(a.bureau) === 'city' && ledgers.some((b) => b.key === a.key && bureauLevel(b.bureau) === 'county'));
  t.ok(both.length > 0, `${both.length} enterprise-years with a city ledger and a county ledger`);
  const r3 = new Set(events.filter((e) => e.type === 'R3LedgerOpened').map((e) => String(e.data.bureauCode)));
  t.same([...r3].sort(), ['330300', '331000', '331100'], 'each city keeps its own R3 ledgers');
});

t.test('the whole province: 11 cities, 90 counties registered, programmes of each', async (t) => {
  const events = generate({ cities: 'all', firstYear: 2025, today: '2025-06-30', projects: 250, seed: 3 });
  const { directory } = checkBureaus(t, events, 'Zhejiang');
  const all = directory.all();
  t.equal(all.filter((b) => b.level === 'city').length, 11);
  t.equal(all.filter((b) => b.level === 'county').length, 90);
  t.equal(new Set(all.map((b) => b.code)).size, 102, 'codes unique');
  t.ok(all.every((b) => b.path === directory.pathOf(b.code) && b.path.startsWith('330000')), 'every path from the province');
  t.equal(directory.pathOf('330383'), '330000.330300.330383', '龙港市 under 温州 by its default parent');
  t.equal(events.filter((e) => e.type === 'ProgrammeLaunched').length, 101, 'one programme of every city and county in its one year');
});

t.test('same seed, same province, event ids included, in every shape', async (t) => {
  const ids = (events: Flat[]) => events.map((e) => `${e.stream} ${e.id}`);
  for (const shape of [{}, demoProvince, { cities: ['330100', '331100'], countiesPerCity: 2 }] as ProvinceOptions[]) {
    const first = generate({ ...shape, projects: 60, seed: 11 });
    t.same(ids(generate({ ...shape, projects: 60, seed: 11 })), ids(first), JSON.stringify(shape));
    t.not(ids(generate({ ...shape, projects: 60, seed: 12 }))[0], ids(first)[0], 'another seed, other ids');
  }
});

t.test('an unknown city is refused', async (t) => {
  t.throws(() => generate({ cities: ['320100'] }), /not a city of 浙江省/);
});

t.test("each city's annual work summaries: one per city and year at most, on time, late and missing among them, a second province beside writes none", (t) => {
  const options: ProvinceOptions = { ...demoProvince, projects: 150, seed: 11, firstYear: 2016, today: '2025-06-30' };
  const events = generate(options);
  const sent = events.filter((e) => e.type === 'AnnualSummarySubmitted');
  const cities = demoProvince.cities;
  const years = Array.from({ length: 2024 - 2016 + 1 }, (_, i) => 2016 + i);
  const keys = sent.map((e) => `${String(e.data.bureauCode)}-${String(e.data.year)}`);
  t.equal(new Set(keys).size, keys.length, `${sent.length} summaries, none twice`);
  t.ok(sent.every((e) => e.stream === `annual-summary-${String(e.data.bureauCode)}-${String(e.data.year)}` && cities.includes(String(e.data.bureauCode) as never)), 'each on its city and year');
  const onTime = sent.filter((e) => String(e.data.submittedOn) <= `${Number(e.data.year) + 1}-01-15`);
  const late = sent.filter((e) => String(e.data.submittedOn) > `${Number(e.data.year) + 1}-01-15`);
  t.ok(onTime.length > 0 && late.length > 0, `${onTime.length} on time, ${late.length} late`);
  t.ok(sent.every((e) => e.data.late === (String(e.data.submittedOn) > `${Number(e.data.year) + 1}-01-15`)), 'the domain marks the late ones late');
  t.ok(keys.length < cities.length * years.length, `${cities.length * years.length - keys.length} never sent`);
  t.same(generate({ ...options, seed: 11 }).filter((e) => e.type === 'AnnualSummarySubmitted').map((e) => e.id), sent.map((e) => e.id), 'same seed, same summaries');
  t.same(generate({ ...options, idPrefix: 'b' }).filter((e) => e.type === 'AnnualSummarySubmitted'), [], 'a province loaded beside the first writes no summary of the same cities');
  t.end();
});
