import { createHash } from 'node:crypto';
import { flows } from '../../flows/index.ts';
import type { FlowDefinition, StepMeta } from '../../flows/types.ts';

export interface RegisteredFlow extends FlowDefinition {
  /** Hash of the machine's definition: a session remembers the version it started on. */
  version: string;
  initial: string;
}

function versionOf(flow: FlowDefinition): string {
  return createHash('sha256').update(JSON.stringify(flow.machine.config)).digest('base64url').slice(0, 12);
}

export class FlowRegistry {
  readonly list: readonly RegisteredFlow[];
  private readonly byId: Map<string, RegisteredFlow>;

  constructor(definitions: readonly FlowDefinition[] = flows) {
    this.list = definitions.map((f) => ({ ...f, version: versionOf(f), initial: String(f.machine.config.initial) }));
    this.byId = new Map(this.list.map((f) => [f.id, f]));
  }

  get(id: string): RegisteredFlow | undefined {
    return this.byId.get(id);
  }

  /**
   * Where a session can start to show `state`: the state itself when it asks something (a check asks for a domain),
   * or for an ending (which cannot be started on its own) the first step that leads to it.
   */
  entryStep(flow: RegisteredFlow, state: string): string | undefined {
    const node = flow.machine.states[state];
    if (!node) return undefined;
    if (node.type !== 'final') return state;
    return Object.entries(flow.machine.states).find(([, from]) =>
      [...from.transitions.values()].flat().some((t) => t.target?.some((to) => to.key === state)),
    )?.[0];
  }

  meta(flow: RegisteredFlow, state: string): StepMeta | undefined {
    return stepMeta(flow, state);
  }
}

/** A step's typed meta: the one place that reads `config.meta` (XState types it as unknown). */
export function stepMeta(flow: Pick<FlowDefinition, 'machine'>, state: string): StepMeta | undefined {
  return flow.machine.states[state]?.config.meta as StepMeta | undefined;
}
