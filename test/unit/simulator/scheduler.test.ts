import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Scheduler, type Scheduled } from '../../../src/simulator/scheduler';
import { Rng } from '../../../src/simulator/rng';

function item(name: number, fired: number[]): Scheduled & { name: number } {
  return { name, dueAt: 0, heapIndex: -1, fire: () => fired.push(name) };
}

describe('simulator scheduler', () => {
  it('fires items in due order, honours cancel and reschedule, with one shared timer', async () => {
    const s = new Scheduler();
    const fired: number[] = [];
    const rng = new Rng(5);
    const now = performance.now();
    const items = Array.from({ length: 200 }, (_, i) => item(i, fired));
    const due = new Map<number, number>();
    for (const it of items) {
      const d = now + 5 + rng.next() * 60;
      due.set(it.name, d);
      s.schedule(it, d);
    }
    for (let i = 0; i < 200; i += 7) s.cancel(items[i]); // cancel some
    for (let i = 3; i < 200; i += 11) {
      const d = now + 5 + rng.next() * 60; // move some
      due.set(i, d);
      s.schedule(items[i], d);
    }
    const expected = items
      .filter((it) => it.name % 7 !== 0 || (it.name - 3) % 11 === 0)
      .map((it) => it.name)
      .sort((a, b) => due.get(a)! - due.get(b)!);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(s.size, 0);
    // Items due within the same 0.5 ms pass may swap; compare the due times of the firing order.
    assert.deepEqual(
      [...fired].sort((a, b) => a - b),
      [...expected].sort((a, b) => a - b),
    );
    for (let k = 1; k < fired.length; k++) assert.ok(due.get(fired[k])! >= due.get(fired[k - 1])! - 0.5);
  });

  it('an item can reschedule itself from fire; clear() drops everything', async () => {
    const s = new Scheduler();
    let count = 0;
    const times: number[] = [];
    const self: Scheduled = {
      dueAt: 0,
      heapIndex: -1,
      fire(now) {
        times.push(now);
        if (++count < 5) s.schedule(self, now + 10);
      },
    };
    s.schedule(self, performance.now() + 10);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(count, 5);
    for (let k = 1; k < times.length; k++) assert.ok(times[k] - times[k - 1] >= 9.4);

    const never = item(1, []);
    s.schedule(never, performance.now() + 5);
    s.clear();
    assert.equal(never.heapIndex, -1);
    assert.equal(s.size, 0);
  });
});
