import { describe, expect, it } from 'vitest';
import { giveWay } from './give-way.js';

describe('giveWay', () => {
  it('lets one waiter through per turn of the event loop', async () => {
    // A ticker counts turns: one immediate per turn, as each re-queued immediate waits for the next.
    let turn = 0;
    let ticking = true;
    const tick = (): void => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const turns = await Promise.all([giveWay(), giveWay(), giveWay()].map((p) => p.then(() => turn)));
    ticking = false;
    expect(new Set(turns).size).toBe(3);
    expect(turns).toEqual([...turns].sort((a, b) => a - b));
  });

  it('runs a due timer before the next waiter', async () => {
    const order: string[] = [];
    const first = giveWay().then(() => {
      // Due on the next turn's timers phase, which comes before the next waiter's turn.
      setTimeout(() => order.push('timer'), 0);
      const until = Date.now() + 5;
      while (Date.now() < until);
      order.push('first');
    });
    const second = giveWay().then(() => order.push('second'));
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'timer', 'second']);
  });
});
