import type { FlowDefinition } from '../types.ts';
import { facts } from './facts.ts';
import { machine } from './machine.ts';

export const notificationSenderSetup: FlowDefinition = {
  id: 'notification-sender-setup',
  machine,
  facts,
  source: 'shared/articles/004_ee30e212654eb86c.txt',
};
