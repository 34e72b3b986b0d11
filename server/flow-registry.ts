import { createHash } from 'node:crypto';
import { flows } from '../flows/index.ts';
import type { FlowDefinition, StepMeta } from '../flows/types.ts';

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

  meta(flow: RegisteredFlow, state: string): StepMeta | undefined {
    return flow.machine.states[state]?.config.meta as StepMeta | undefined;
  }
}
