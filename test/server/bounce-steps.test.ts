import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOUNCE_STEPS } from '../../server/checks/bounce-steps.ts';
import { BOUNCE_CATEGORIES } from '../../server/checks/bounce.ts';

describe('BOUNCE_STEPS', () => {
  it('names steps that exist, and only for categories that exist', () => {
    expect(Object.keys(BOUNCE_STEPS).length).toBeGreaterThan(0);
    for (const [category, { flowId, stepId }] of Object.entries(BOUNCE_STEPS)) {
      expect(BOUNCE_CATEGORIES).toContain(category);
      const flow = JSON.parse(readFileSync(new URL(`../../flows/${flowId}/flow.json`, import.meta.url), 'utf8'));
      expect(Object.keys(flow.machine.states), `${category}: ${flowId}#${stepId}`).toContain(stepId);
      // A step a person can be sent to, not an ending.
      expect(flow.machine.states[stepId].type, `${flowId}#${stepId}`).not.toBe('final');
    }
  });
});
