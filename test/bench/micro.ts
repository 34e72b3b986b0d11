/**
 * `npx tsx test/bench/micro.ts [op…]`: CPU µs per call of one piece of a step's work, in-process, on a real SQLite
 * file. Each op runs several rounds and prints the median round (user + system CPU time from process.cpuUsage, so a
 * busy shared machine slows the wall clock, not the figure). Used to measure one change alone before keeping it.
 *
 *   open    store.openSession (the session and its path)
 *   get     engine.get (open + pinned version + view)
 *   move    the current step's plain event: the engine's way of finding the next state
 *   json    a session view as the API writes it (sessionJson + JSON.stringify)
 *   t       the views' t helper with a value, as a history item asks for its answer's label
 *   write   one step's write (engine.send/back on many sessions at once: the write queue's group commit)
 *   alone   one step's write with nothing else in its commit
 *   append  the store's part of a step's write alone (appendStep), grouped and on its own
 */
import { join } from 'node:path';
import { initialTransition, transition } from 'xstate';
import { Engine, type SessionView } from '../../server/engine/engine.ts';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { createI18n, tFor } from '../../server/i18n/i18n.ts';
import { StepRenderer } from '../../server/render/step.ts';
import tHelper from '../../server/render/helpers/t.ts';
import { sessionJsonText } from '../../server/render/session-json.ts';
import { sessionJson } from '../../server/routes/api.ts';
import { createSqliteStore } from '../../server/store/sqlite/index.ts';
import { tempDir } from '../support/app.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const tmp = tempDir('mailhelp-micro-');
const store = createSqliteStore(join(tmp.dir, 'micro.db'));
const flows = new FlowRegistry();
const i18n = createI18n();
const renderer = new StepRenderer(i18n);
const noChecks = () => Promise.reject(new Error('no checks here'));
const engine = new Engine(store, flows, renderer, { emailDomain: noChecks, headers: noChecks, bounce: noChecks });

const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Median of ROUNDS rounds of `n` calls, in CPU µs per call. */
async function measure(name: string, n: number, round: (n: number) => Promise<void> | void) {
  await round(Math.min(n, 200)); // warm-up: compile, fill caches
  const per: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = cpu();
    await round(n);
    per.push((cpu() - t0) / n);
  }
  per.sort((a, b) => a - b);
  console.log(`${name.padEnd(44)} ${per[per.length >> 1]!.toFixed(2).padStart(8)} µs/op   (min ${per[0]!.toFixed(2)}, max ${per.at(-1)!.toFixed(2)})`);
}

/** A session two answers in on the first guide: a path of three rows, two history items. */
async function walked(lng: 'sv' | 'en' = 'en'): Promise<SessionView> {
  const flow = flows.list[0]!;
  let view = await engine.start({ flowId: flow.id, lng });
  for (let i = 0; i < 2; i++) {
    // An answer that leads to a step with answers of its own, so the session can go on from there.
    for (const option of view.step.options.filter((o) => o.event !== 'CHECK')) {
      const next = await engine.send(view.session.id, option.event);
      if (next.step.options.some((o) => o.event !== 'CHECK')) {
        view = next;
        break;
      }
      view = await engine.back(view.session.id);
    }
  }
  return view;
}

const ops: Record<string, () => Promise<void>> = {
  async open() {
    const { session } = await walked();
    await measure('open: store.openSession (path of 3)', 20000, async (n) => {
      for (let i = 0; i < n; i++) await store.openSession(session.id);
    });
  },
  async get() {
    const { session } = await walked();
    await measure('get: engine.get (2 history items)', 20000, async (n) => {
      for (let i = 0; i < n; i++) await engine.get(session.id);
    });
  },
  async move() {
    const view = await walked();
    const flow = view.flow;
    const state = view.session.snapshot;
    const type = view.step.options.find((o) => o.event !== 'CHECK')!.event;
    await measure('move: resolveState + can + transition (xstate)', 50000, (n) => {
      for (let i = 0; i < n; i++) {
        const current = flow.machine.resolveState(state);
        if (!current.can({ type })) throw new Error('not allowed');
        transition(flow.machine, current, { type });
      }
    });
    const plain = (flows as unknown as { plainTarget?: (f: typeof flow, s: string, e: string) => string | undefined }).plainTarget;
    if (plain)
      await measure('move: plain transition table', 50000, (n) => {
        for (let i = 0; i < n; i++) if (plain.call(flows, flow, state.value, type) === undefined) throw new Error('not plain');
      });
    void initialTransition;
  },
  async json() {
    const view = await walked();
    const t = tFor(i18n, view.lng);
    await measure('json: sessionJson + JSON.stringify', 50000, (n) => {
      for (let i = 0; i < n; i++) JSON.stringify(sessionJson(view, t));
    });
    await measure('json: sessionJsonText (written directly)', 50000, (n) => {
      for (let i = 0; i < n; i++) sessionJsonText(view, t);
    });
  },
  async t() {
    const t = tFor(i18n, 'sv');
    const answers = ['Ja', 'Nej, inte än', 'Mer än en minut sedan'];
    await measure('t: {{t "session.answerLabel" answer=…}} helper', 50000, (n) => {
      for (let i = 0; i < n; i++) tHelper('session.answerLabel', { hash: { answer: answers[i % 3] }, data: { root: { t } } } as never);
    });
  },
  async write() {
    const K = 50;
    const views = await Promise.all(Array.from({ length: K }, () => engine.start({ flowId: flows.list[0]!.id, lng: 'en' })));
    const event = views[0]!.step.options.find((o) => o.event !== 'CHECK')!.event;
    // Each round: every session answers, then goes back (two steps per session), K sessions in one commit each.
    await measure(`write: a step in a group commit of ${K} (send/back)`, 2 * K * 20, async (n) => {
      for (let i = 0; i < n / (2 * K); i++) {
        await Promise.all(views.map((v) => engine.send(v.session.id, event)));
        await Promise.all(views.map((v) => engine.back(v.session.id)));
      }
    });
  },
  async alone() {
    let view = await engine.start({ flowId: flows.list[0]!.id, lng: 'en' });
    const event = view.step.options.find((o) => o.event !== 'CHECK')!.event;
    let pairs = 0;
    await measure('alone: a step in a commit of its own (send/back)', 2000, async (n) => {
      for (let i = 0; i < n / 2; i++) {
        // A fresh session before the step cap.
        if (++pairs % 200 === 0) view = await engine.start({ flowId: flows.list[0]!.id, lng: 'en' });
        await engine.send(view.session.id, event);
        await engine.back(view.session.id);
      }
    });
  },
  /** The store's part alone: appendStep for K sessions at once (one group commit), no engine work. */
  async append() {
    const K = 50;
    const flow = flows.list[0]!;
    const fresh = () => Promise.all(Array.from({ length: K }, () => engine.start({ flowId: flow.id, lng: 'en' })));
    let views = await fresh();
    let seq = 0;
    const snapshot = views[0]!.session.snapshot;
    const write = (commits: number) =>
      (async () => {
        for (let c = 0; c < commits; c++) {
          if (seq >= 480) (views = await fresh()), (seq = 0);
          seq++;
          await Promise.all(
            views.map((v) =>
              store.appendStep(
                v.session.id,
                { seq, state: snapshot.value, event: 'NEXT', data: null, snapshot, agentId: null, prevState: snapshot.value },
                { snapshot, status: 'active', outcome: null, flowVersion: flow.version, path: [0, seq] },
              ),
            ),
          );
        }
      })();
    await measure(`append: store.appendStep, group commit of ${K}`, K * 40, (n) => write(n / K));
    const one = (commits: number) =>
      (async () => {
        for (let c = 0; c < commits; c++) {
          if (seq >= 480) (views = await fresh()), (seq = 0);
          seq++;
          const v = views[0]!;
          await store.appendStep(
            v.session.id,
            { seq, state: snapshot.value, event: 'NEXT', data: null, snapshot, agentId: null, prevState: snapshot.value },
            { snapshot, status: 'active', outcome: null, flowVersion: flow.version, path: [0, seq] },
          );
          // The other sessions keep pace, so seq stays theirs too.
          for (const w of views.slice(1))
            await store.appendStep(
              w.session.id,
              { seq, state: snapshot.value, event: 'NEXT', data: null, snapshot, agentId: null, prevState: snapshot.value },
              { snapshot, status: 'active', outcome: null, flowVersion: flow.version, path: [0, seq] },
            );
        }
      })();
    await measure('append: store.appendStep, a commit of its own', K * 10, (n) => one(n / K));
  },
};

try {
  for (const name of process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(ops)) {
    const op = ops[name];
    if (!op) throw new Error(`no op "${name}"; ops: ${Object.keys(ops).join(', ')}`);
    await op();
  }
} finally {
  await store.close();
  tmp.remove();
}
