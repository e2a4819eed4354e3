import t from 'tap';
import { slowDuringStalls, startStallProbe, type Stall } from '../scripts/bench/stall-probe.js';

t.test('slow requests are counted as explained only when in flight during a stall', async (t) => {
  const stalls: Stall[] = [{ probe: 'fsync', start: 1_000, end: 1_100 }, { probe: 'timer', start: 2_000, end: 2_010 }];
  const requests: Array<[number, number]> = [
    [990, 20], // 990–1010: overlaps the fsync stall
    [1_050, 16], // inside it
    [1_200, 30], // 1200–1230: after it, nothing then
    [1_995, 16], // 1995–2011: overlaps the timer stall
    [1_000, 5], // fast: not counted at all
    [2_010, 20], // starts as the timer stall ends: not in flight during it
  ];
  t.strictSame(slowDuringStalls(requests, stalls, 15), { slow: 5, duringStall: 3 });
  t.strictSame(slowDuringStalls(requests, [], 15), { slow: 5, duringStall: 0 });
});

t.test('the probe runs in its own process and reports what it measured', async (t) => {
  const probe = await startStallProbe();
  await new Promise((r) => setTimeout(r, 300));
  const seen = await probe.stop();
  t.ok(seen.timer.ticks > 20, `the 2 ms timer ticked (${seen.timer.ticks} times)`);
  t.ok(seen.fsync.syncs > 2, `fdatasync ran (${seen.fsync.syncs} times)`);
  t.ok(seen.fsync.maxMs >= seen.fsync.p50Ms && seen.fsync.p50Ms >= 0, 'fsync times are ordered');
  for (const s of seen.stalls) t.ok(s.end > s.start, `a ${s.probe} stall has a length`);
});
