import type { FlowDefinition } from '../types.ts';
import { facts } from './facts.ts';
import { machine } from './machine.ts';

export const deliveredNotInInbox: FlowDefinition = {
  id: 'delivered-not-in-inbox',
  machine,
  facts,
  source: 'shared/articles/002_e657626e3cc88d05.txt',
};
