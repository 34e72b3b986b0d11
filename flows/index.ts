import type { FlowDefinition } from './types.ts';
import { participantNoEmail } from './participant-no-email/index.ts';

/** Every flow the app serves, in the order the start page lists them. */
export const flows: readonly FlowDefinition[] = [participantNoEmail];
