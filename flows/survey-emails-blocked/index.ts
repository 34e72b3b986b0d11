import type { FlowDefinition } from '../types.ts';
import { facts } from './facts.ts';
import { machine } from './machine.ts';

export const surveyEmailsBlocked: FlowDefinition = {
  id: 'survey-emails-blocked',
  machine,
  facts,
  source: 'shared/articles/001_6afcee558a5cded8.txt',
};
