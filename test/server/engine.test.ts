import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../server/http/errors.ts';
import { StepConflictError } from '../../server/store/types.ts';
import { testApp, type TestApp } from '../support/app.ts';

/* The engine on a real store, without HTTP: what a step does when two arrive at once, and what it keeps. */
let t: TestApp;
beforeAll(() => {
  t = testApp();
});
afterAll(() => t.close());
const engine = () => t.app.locals.ctx.engine;

describe('two answers to the same step at once', () => {
  it('one is stored, the other is a 409 that keeps the store conflict as its cause', async () => {
    const { session } = await engine().start({ flowId: 'participant-no-email', lng: 'en' });
    const results = await Promise.allSettled([
      engine().send(session.id, 'OVER_A_MINUTE'),
      engine().send(session.id, 'UNDER_A_MINUTE'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const error = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 409, code: 'session_changed' });
    expect(error.cause).toBeInstanceOf(StepConflictError);
    expect(await t.store.listSteps(session.id)).toHaveLength(2);
  });
});
