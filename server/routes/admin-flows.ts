import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { EDITORS, editorFor } from '../auth/editors.ts';
import { requireCsrf } from '../auth/logins.ts';
import type { Editor } from '../content/service.ts';
import type { AppContext } from '../http/context.ts';
import { AppError } from '../http/errors.ts';
import { requestLanguage, requireJsonBody } from '../http/request.ts';
import type { AgentRecord, AuditRecord, FlowVersionRecord, FlowVersionSummary, Role } from '../store/types.ts';
import { optional, parse } from './parse.ts';

/** A guide's document is tens of kilobytes; a megabyte leaves room for a long one, not for abuse. */
const DOCUMENT_LIMIT = '1mb';

const NOTE_MAX = 1000;
const number = z.coerce.number().int().min(1).max(1e9);
const note = z.string().max(NOTE_MAX).optional();
const publishBody = z.union(
  [
    z.strictObject({ draft: z.number().int().min(1), note }),
    z.strictObject({ version: z.number().int().min(1), note }),
    z.strictObject({ pending: z.literal(true), note }),
  ],
  { error: 'send {"draft": <id>}, {"version": <number>} (a rollback) or {"pending": true}, each with an optional "note"' },
);
const versionParams = z.object({ id: number });
const auditQuery = z.object({
  flow: optional(z.string().max(100)),
  limit: optional(z.coerce.number().int().min(1).max(500)).default(50),
  offset: optional(z.coerce.number().int().min(0).max(1e9)).default(0),
});


declare module 'express-serve-static-core' {
  interface Request {
    editor?: Editor & { role: Role };
  }
}

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` acts as an administrator (no CSRF token: no browser sends it by itself);
 * otherwise the console's login, with its CSRF token in `x-csrf-token` on every change. The token is compared by
 * hash, in constant time, as the analytics token is.
 */
export function editorAuth(token: string | undefined) {
  const expected = token ? createHash('sha256').update(token).digest() : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) {
      if (!expected || !timingSafeEqual(createHash('sha256').update(bearer).digest(), expected))
        return next(new AppError(401, 'unauthorized', 'That token is not valid.'));
      req.editor = { actor: { agentId: null, via: 'token' }, role: 'admin' };
      return next();
    }
    const agent = req.login?.agent;
    if (!agent) return next(new AppError(401, 'unauthorized', 'Sign in, or send Authorization: Bearer <ADMIN_TOKEN>.'));
    if (!EDITORS.includes(agent.role)) return next(new AppError(403, 'forbidden', 'Changing guides needs an administrator, author or translator account.'));
    req.editor = editorFor(agent);
    requireCsrf(req, res, next);
  };
}

const adminOnly = (req: Request, _res: Response, next: NextFunction) =>
  next(req.editor?.role === 'admin' ? undefined : new AppError(403, 'forbidden', 'The audit log is for administrators.'));

/**
 * Guides as versioned documents, for tools and the studio (README: "Changing a guide"): list, read, draft, publish
 * and roll back, and the audit log. HTTP only: the content service validates, decides and stores.
 */
export function adminFlowRoutes(ctx: AppContext, token: string | undefined): Router {
  const { content } = ctx;
  const router = Router();
  router.use('/api/admin', editorAuth(token), requireJsonBody, express.json({ limit: DOCUMENT_LIMIT, strict: true }));

  const people = async () => new Map((await ctx.store.listAgents()).map((a) => [a.id, a]));
  const flowId = (req: Request) => String(req.params.flowId);

  router.get('/api/admin/flows', async (req, res) => {
    const lng = requestLanguage(req);
    const [guides, agents] = await Promise.all([content.list(), people()]);
    const titles = new Map(ctx.flows.list.map((f) => [f.id, ctx.renderer.text(f, 'title', lng)]));
    res.json(
      guides.map((g) => ({
        id: g.id,
        title: titles.get(g.id) ?? g.id,
        version: versionJson(g.latest, agents),
        ...(g.pending ? { pending: { hash: g.pending.hash, foundAt: iso(g.pending.foundAt) } } : {}),
      })),
    );
  });

  router.get('/api/admin/flows/:flowId', async (req, res) => {
    const [latest, pending, agents] = await Promise.all([content.version(flowId(req)), content.pending(flowId(req)), people()]);
    res.json({
      ...withDocument(latest, agents),
      ...(pending ? { pending: { hash: pending.hash, foundAt: iso(pending.foundAt), document: pending.document } } : {}),
    });
  });

  router.get('/api/admin/flows/:flowId/versions', async (req, res) => {
    const [versions, agents] = await Promise.all([content.versions(flowId(req)), people()]);
    res.json(versions.map((v) => versionJson(v, agents)));
  });

  router.get('/api/admin/flows/:flowId/versions/:id', async (req, res) => {
    const { id } = parse(versionParams, req.params);
    const [v, agents] = await Promise.all([content.version(flowId(req), id), people()]);
    res.json(withDocument(v, agents));
  });

  router.post('/api/admin/flows/:flowId/drafts', async (req, res) => {
    const draft = await content.createDraft(flowId(req), req.body, req.editor!);
    res.status(201).json({ draft: { id: draft.id, flowId: draft.flowId, hash: draft.hash, createdAt: iso(draft.createdAt), createdBy: draft.createdBy }, problems: [] });
  });

  router.post('/api/admin/flows/:flowId/publish', async (req, res) => {
    const { note: text, ...source } = parse(publishBody, req.body);
    const v = await content.publish(flowId(req), source, req.editor!, { note: text ?? null });
    res
      .status(201)
      .location(`/api/admin/flows/${encodeURIComponent(v.flowId)}/versions/${v.number}`)
      .json(versionJson(v, await people()));
  });

  router.get('/api/admin/audit', adminOnly, async (req, res) => {
    const q = parse(auditQuery, req.query);
    const [entries, agents] = await Promise.all([content.audit({ ...(q.flow ? { flowId: q.flow } : {}), limit: q.limit, offset: q.offset }), people()]);
    res.json(entries.map((e) => auditJson(e, agents)));
  });

  return router;
}

const iso = (ms: number) => new Date(ms).toISOString();
const person = (id: number | null, agents: Map<number, AgentRecord>) => {
  const a = id === null ? undefined : agents.get(id);
  return a ? { id: a.id, name: a.name, email: a.email } : null;
};

/** A version as the API shows it: number, content hash, note, who (a person, or null with how) and when. */
function versionJson(v: FlowVersionSummary, agents: Map<number, AgentRecord>) {
  return {
    flowId: v.flowId,
    number: v.number,
    hash: v.hash,
    note: v.note,
    publishedBy: person(v.publishedBy, agents),
    via: v.via,
    publishedAt: iso(v.publishedAt),
  };
}

/** A version with its document, as export gives it (with `version`, the number). */
const withDocument = (v: FlowVersionRecord, agents: Map<number, AgentRecord>) => ({
  ...versionJson(v, agents),
  document: { ...v.document, version: v.number },
});

const auditJson = (e: AuditRecord, agents: Map<number, AgentRecord>) => ({
  id: e.id,
  at: iso(e.at),
  agent: person(e.agentId, agents),
  via: e.via,
  action: e.action,
  flowId: e.flowId,
  fromVersion: e.fromVersion,
  toVersion: e.toVersion,
  draftId: e.draftId,
  note: e.note,
});
