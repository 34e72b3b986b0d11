import type { FlowDefinition } from '../types.ts';
import { facts } from './facts.ts';
import { machine } from './machine.ts';

export const trackSentEmail: FlowDefinition = {
  id: 'track-sent-email',
  machine,
  facts,
  source: 'shared/articles/003_5612f49f371a5b1d.txt',
};
