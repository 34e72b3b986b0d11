import { expect, it } from 'vitest';
import { REMOVED_PASSWORD, type AttemptLimit } from '../../server/store/types.ts';
import { version } from '../support/store-records.ts';
import { describeStores, T0 } from '../support/stores.ts';

const MINUTE = 60_000;
const limit = (key: string, n: number): AttemptLimit => ({ key, limit: n, windowMs: 15 * MINUTE });

describeStores('accounts, sign-ins and sign-in limits', (kind) => {
  it('finds accounts whatever the case of the email, refuses a second one, lists them by role and name', async () => {
    const { store } = await kind.open();
    const ada = await store.createAgent({ email: 'Ada@example.com', name: 'Ada', role: 'admin', passwordHash: 'h1' });
    expect(ada).toMatchObject({ email: 'Ada@example.com', role: 'admin', languages: [], passwordHash: 'h1', createdAt: T0 });
    const tor = await store.createAgent({ email: 'tor@example.com', name: 'Tor', role: 'translator', languages: ['no', 'de'], passwordHash: 'h2' });
    expect(tor.languages).toEqual(['no', 'de']);
    await store.createAgent({ email: 'bob@example.com', name: 'bob', role: 'agent', passwordHash: 'h3' });
    await store.createAgent({ email: 'cy@example.com', name: 'Cy', role: 'agent', passwordHash: 'h4' });
    await expect(store.createAgent({ email: 'ADA@example.COM', name: 'Other', role: 'agent', passwordHash: 'x' })).rejects.toThrow();
    expect((await store.findAgentByEmail('  ada@EXAMPLE.com '))?.id).toBe(ada.id);
    expect(await store.findAgentByEmail('nobody@example.com')).toBeUndefined();
    // By role, last first, then by name as bytes compare: 'Cy' before 'bob'.
    expect((await store.listAgents()).map((a) => a.name)).toEqual(['Tor', 'Cy', 'bob', 'Ada']);
  });

  it('logins expire, go with a new password and on sign-out; an account others\' records name is kept, emptied', async () => {
    const { store, tick } = await kind.open();
    const ada = await store.createAgent({ email: 'Ada@example.com', name: 'Ada', role: 'admin', passwordHash: 'h1' });
    const bob = await store.createAgent({ email: 'bob@example.com', name: 'Bob', role: 'agent', passwordHash: 'h3' });
    await store.createLogin('t-ada', ada.id, 'csrf-1', T0 + MINUTE);
    await store.createLogin('t-bob', bob.id, 'csrf-2', T0 + 10 * MINUTE);
    expect(await store.getLogin('t-ada')).toMatchObject({ agent: { id: ada.id, email: 'Ada@example.com' }, csrf: 'csrf-1', expiresAt: T0 + MINUTE });
    tick(MINUTE);
    expect(await store.getLogin('t-ada')).toBeUndefined();
    await store.createLogin('t-ada2', ada.id, 'csrf-3', T0 + 20 * MINUTE);
    expect([await store.setAgentPassword('ADA@example.com', 'h1b'), await store.setAgentPassword('nobody@example.com', 'x')]).toEqual([true, false]);
    expect(await store.getLogin('t-ada2')).toBeUndefined();
    expect((await store.findAgentByEmail('ada@example.com'))?.passwordHash).toBe('h1b');
    await store.deleteLogin('t-bob');
    expect(await store.getLogin('t-bob')).toBeUndefined();
    // Ada published a version: her account stays for that history. Bob has none: he goes.
    await store.createLogin('t-ada3', ada.id, 'csrf-4', T0 + 20 * MINUTE);
    await store.publishVersion({ ...version('a', 'one'), actor: { agentId: ada.id, via: 'console' } });
    expect([await store.removeAgent('ada@example.com'), await store.removeAgent('BOB@example.com'), await store.removeAgent('bob@example.com')]).toEqual([
      'kept',
      'deleted',
      'missing',
    ]);
    expect(await store.getLogin('t-ada3')).toBeUndefined();
    expect((await store.listAgents()).map((a) => [a.name, a.passwordHash])).toEqual([['Ada', REMOVED_PASSWORD]]);
  });

  it('attempts count failures only, hold a slot while in flight, and block until the oldest failure leaves the window', async () => {
    const { store, tick } = await kind.open();
    const limits = [limit('account', 2)];
    // Two in flight take both slots: a third waits, it is not refused.
    expect(await store.reserveAttempt('a', limits)).toEqual({ status: 'reserved' });
    expect(await store.reserveAttempt('b', limits)).toEqual({ status: 'reserved' });
    expect(await store.reserveAttempt('c', limits)).toEqual({ status: 'wait' });
    // A success leaves no trace and frees its slot.
    await store.settleAttempt('a', false);
    expect(await store.reserveAttempt('c', limits)).toEqual({ status: 'reserved' });
    tick(MINUTE);
    await store.settleAttempt('b', true);
    tick(MINUTE);
    await store.settleAttempt('c', true);
    expect(await store.reserveAttempt('d', limits)).toEqual({ status: 'blocked', until: T0 + MINUTE + 15 * MINUTE });
    // Once the first failure is older than the window, one more attempt fits.
    tick(14 * MINUTE);
    expect(await store.reserveAttempt('d', limits)).toEqual({ status: 'reserved' });
  });

  it('a limit blocks whichever key reached it, and a pending attempt abandoned by a crash stops holding its slot', async () => {
    const { store, tick } = await kind.open();
    expect(await store.reserveAttempt('a', [limit('address', 5), limit('account', 1)])).toEqual({ status: 'reserved' });
    await store.settleAttempt('a', true);
    expect((await store.reserveAttempt('b', [limit('address', 5), limit('account', 1)])).status).toBe('blocked');
    expect(await store.reserveAttempt('b', [limit('address', 5), limit('other account', 1)])).toEqual({ status: 'reserved' });
    // b is never settled (its process died): after a minute it no longer keeps others waiting.
    expect(await store.reserveAttempt('c', [limit('other account', 1)])).toEqual({ status: 'wait' });
    tick(MINUTE + 1);
    expect(await store.reserveAttempt('c', [limit('other account', 1)])).toEqual({ status: 'reserved' });
  });

  it('instances reserving the last slot at the same moment: only one gets it', async () => {
    const { store, another } = await kind.open();
    const instances = [store, another(), another()];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => instances[i % 3]!.reserveAttempt(`${round}-${i}`, [limit('address', 100), limit(`account-${round}`, 1)])),
      );
      expect(results.filter((r) => r.status === 'reserved').length).toBe(1);
    }
  });
});
