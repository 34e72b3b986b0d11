import type { Editor } from '../content/service.ts';
import type { AgentRecord, Role } from '../store/types.ts';

/** The roles that change guides: an administrator and an author everything, a translator the texts of their languages. */
export const EDITORS: readonly Role[] = ['admin', 'author', 'translator'];

export const canEdit = (role: Role | undefined) => role !== undefined && EDITORS.includes(role);

/** A signed-in person as the content code sees them: who, and for a translator the only texts they may change. */
export const editorFor = (agent: Pick<AgentRecord, 'id' | 'role' | 'languages'>): Editor & { role: Role } => ({
  actor: { agentId: agent.id, via: 'console' },
  role: agent.role,
  ...(agent.role === 'translator' ? { onlyTexts: agent.languages } : {}),
});
