/*
 * The studio's edits of a guide document (issue 16). Each is a pure function: it takes a document and returns a new
 * one, never changing the one it was given, or throws an AppError an author can act on (404 for a step, option or
 * fact that is not there, 409 for a name taken or a step or fact still in use, 422 for a change that cannot be
 * made). They work on documents in progress (missing texts, dead ends) and do not validate the whole document:
 * that is validateDocument's job (server/content/validate.ts), run when the author saves or publishes.
 */
export { eventFromLabel, stepIdFromTitle } from './edit-names.ts';
export { STEP_KINDS, type Route, type StepKind } from './edit-common.ts';
export { addStep, deleteStep, moveStep, referrers, renameStep, setCheck, setRoutes, setStepKind, type CheckSettings, type NewStep, type Referrer } from './edit-steps.ts';
export { addOption, deleteOption, moveOption, renameOption, setOptionTarget, setRouteTarget, type NewOption } from './edit-options.ts';
export { setText, STEP_TEXT_NAMES, textAt, textFieldKey, textFieldOfKey, type GuideTextName, type StepTextName, type TextField } from './edit-texts.ts';
export { deleteFact, factUses, renameFact, setFact, type FactUse } from './edit-facts.ts';
export { duplicateGuide, newGuide } from './edit-guides.ts';
