import type { FlowDefinition } from '../types.ts';
import { facts } from './facts.ts';
import { machine } from './machine.ts';

export const participantNoEmail: FlowDefinition = {
  id: 'participant-no-email',
  machine,
  facts,
  source: 'shared/articles/000_44516bfa9141d22c.txt',
};
