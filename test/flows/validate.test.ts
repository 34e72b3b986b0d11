import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../../server/content/document.ts';
import { validateDocument, type Problem } from '../../server/content/validate.ts';
import { LANGUAGES } from '../../server/i18n/locales.ts';

/*
 * One test per rule of server/content/validate.ts: a small valid guide (the file-only guide of test/fixtures) is
 * broken in one way, and validation must name exactly that problem, at the step, event and language it concerns,
 * and nothing else. Where one mistake really is several problems (a step without options also leads nowhere), all
 * of them are expected.
 */
const BASE: FlowDocument = JSON.parse(readFileSync(new URL('../fixtures/booking-confirmation-missing/flow.json', import.meta.url), 'utf8'));

// Documents are JSON: the tests break them the way a person editing the file could, whatever the types say.
type Editable = Record<string, any>;

function problemsAfter(change: (doc: Editable) => void): Problem[] {
  const doc = structuredClone(BASE) as Editable;
  change(doc);
  const result = validateDocument(doc);
  return result.ok ? [] : result.problems;
}

const states = (doc: Editable) => doc.machine.states;

describe('validation of a guide document', () => {
  it('accepts the valid guide as it is, and gives it back', () => {
    expect(validateDocument(BASE)).toEqual({ ok: true, document: BASE });
  });

  describe('shape', () => {
    it('refuses a key the document does not have, at its step and language', () => {
      expect(problemsAfter((d) => (d.texts.de.checkSpam.title_agent = 'Spam'))).toEqual([
        { message: 'texts.de.checkSpam: Unrecognized key: "title_agent"', path: 'texts.de.checkSpam', step: 'checkSpam', lng: 'de' },
      ]);
    });

    it('refuses an unknown check type', () => {
      expect(problemsAfter((d) => (states(d).checkDomain.meta.check.type = 'dkim'))).toEqual([
        {
          message: 'machine.states.checkDomain.meta.check.type: an unknown check; the engine runs email-domain, headers, bounce',
          path: 'machine.states.checkDomain.meta.check.type',
          step: 'checkDomain',
        },
      ]);
    });

    it('refuses an event that is not UPPER_SNAKE, at its step and event', () => {
      const problems = problemsAfter((d) => (states(d).checkSpam.on = { FOUND_IN_SPAM: 'foundInSpam', notInSpam: 'contactSupport' }));
      expect(problems).toEqual([
        {
          message: 'machine.states.checkSpam.on.notInSpam: an event is UPPER_SNAKE, like FOUND_IN_SPAM',
          path: 'machine.states.checkSpam.on.notInSpam',
          step: 'checkSpam',
          event: 'notInSpam',
        },
      ]);
    });

    it('refuses a step named like the guide\'s own texts', () => {
      const problems = problemsAfter((d) => {
        states(d).title = states(d).contactSupport;
        states(d).checkSpam.on.NOT_IN_SPAM = 'title';
        delete states(d).contactSupport;
        for (const lng of LANGUAGES) delete d.texts[lng].contactSupport;
        states(d).senderSetup.on.DEFAULT_SENDER = 'title';
        states(d).addInclude.on.NEED_HELP = 'title';
        states(d).checkUnavailable.on.NEED_HELP = 'title';
      });
      expect(problems).toEqual([
        {
          message: 'step "title": "title" cannot name a step: the guide\'s own title is kept under that name in its texts',
          path: 'machine.states.title',
          step: 'title',
        },
      ]);
    });
  });

  describe('machine', () => {
    it('refuses a machine id other than the guide\'s', () => {
      expect(problemsAfter((d) => (d.machine.id = 'another-guide'))).toEqual([
        { message: 'machine.id: machine.id "another-guide" is not the guide\'s id "booking-confirmation-missing"', path: 'machine.id' },
      ]);
    });

    it('refuses a first step that does not exist', () => {
      expect(problemsAfter((d) => (d.machine.initial = 'start'))).toEqual([
        { message: 'step "start": the first step "start" does not exist', path: 'machine.initial', step: 'start' },
      ]);
    });

    it('refuses an option whose target does not exist, naming step and event', () => {
      expect(problemsAfter((d) => (states(d).checkAddress.on.ADDRESS_WRONG = 'addressFixed'))).toEqual([
        {
          message: 'step "checkAddress", option "ADDRESS_WRONG": the target "addressFixed" does not exist',
          path: 'machine.states.checkAddress.on.ADDRESS_WRONG',
          step: 'checkAddress',
          event: 'ADDRESS_WRONG',
        },
        // Its one way in gone, the ending is unreachable too.
        { message: 'step "addressCorrected": no path from the first step "whoIsMissing" leads here', path: 'machine.states.addressCorrected', step: 'addressCorrected' },
      ]);
    });

    it('refuses a check route whose target does not exist', () => {
      expect(problemsAfter((d) => (states(d).checkDomain.on.CHECK_RESULT[1].target = 'publishRecord'))).toEqual([
        {
          message: 'step "checkDomain", event "CHECK_RESULT": the target "publishRecord" does not exist',
          path: 'machine.states.checkDomain.on.CHECK_RESULT.1',
          step: 'checkDomain',
          event: 'CHECK_RESULT',
        },
      ]);
    });

    it('refuses a step the first step cannot reach', () => {
      expect(
        problemsAfter((d) => {
          states(d).senderSetup.on.OWN_DOMAIN = 'contactSupport';
          states(d).senderSetup.on.DEFAULT_SENDER = 'contactSupport';
        }),
      ).toEqual(
        ['checkDomain', 'addInclude', 'checkUnavailable', 'includeAdded', 'domainInOrder'].map((step) => ({
          message: `step "${step}": no path from the first step "whoIsMissing" leads here`,
          path: `machine.states.${step}`,
          step,
        })),
      );
    });

    it('refuses a step from which no ending can be reached, walking check results too', () => {
      expect(
        problemsAfter((d) => {
          states(d).checkUnavailable.on = { CARRY_ON: 'addInclude', NEED_HELP: 'checkDomain' };
          states(d).addInclude.on = { ADDED: 'checkUnavailable', NEED_HELP: 'checkUnavailable' };
          states(d).checkDomain.on.CHECK_RESULT[0].target = 'checkUnavailable';
        }),
      ).toEqual([
        // includeAdded and domainInOrder lost their ways in; checkDomain, addInclude and checkUnavailable only lead
        // to each other, whatever the check finds.
        { message: 'step "includeAdded": no path from the first step "whoIsMissing" leads here', path: 'machine.states.includeAdded', step: 'includeAdded' },
        { message: 'step "domainInOrder": no path from the first step "whoIsMissing" leads here', path: 'machine.states.domainInOrder', step: 'domainInOrder' },
        { message: 'step "checkDomain": no ending can be reached from here', path: 'machine.states.checkDomain', step: 'checkDomain' },
        { message: 'step "addInclude": no ending can be reached from here', path: 'machine.states.addInclude', step: 'addInclude' },
        { message: 'step "checkUnavailable": no ending can be reached from here', path: 'machine.states.checkUnavailable', step: 'checkUnavailable' },
      ]);
    });

    it('finds an ending reached only by a combination of verdicts', () => {
      // MX must be fine for the first route, so spf=missing reaches addInclude only with MX failing as well.
      expect(
        problemsAfter((d) => {
          states(d).checkDomain.on.CHECK_RESULT = [
            { guard: { type: 'mxIs', params: { status: ['ok', 'missing', 'null_mx'] } }, target: 'domainInOrder' },
            { guard: { type: 'spfIs', params: { status: ['missing'] } }, target: 'addInclude' },
            { target: 'checkUnavailable' },
          ];
          states(d).checkDomain.on.SKIP_CHECK = 'contactSupport';
          states(d).checkUnavailable.on.CARRY_ON = 'contactSupport';
        }),
      ).toEqual([]);
    });

    it('refuses an ending without outcome', () => {
      expect(problemsAfter((d) => delete states(d).foundInSpam.meta.outcome)).toEqual([
        { message: 'step "foundInSpam": an ending needs an outcome', path: 'machine.states.foundInSpam.meta', step: 'foundInSpam' },
      ]);
    });

    it('refuses an ending with options', () => {
      expect(problemsAfter((d) => (states(d).foundInSpam.on = { START_OVER: 'whoIsMissing' }))).toEqual([
        {
          message: 'step "foundInSpam", option "START_OVER": an ending offers no options',
          path: 'machine.states.foundInSpam.on.START_OVER',
          step: 'foundInSpam',
          event: 'START_OVER',
        },
      ]);
    });

    it('refuses a step that is not an ending and offers no options', () => {
      expect(
        problemsAfter((d) => {
          delete states(d).checkSpam.on;
          for (const lng of LANGUAGES) delete d.texts[lng].checkSpam.options;
        }),
      ).toEqual([
        { message: 'step "checkSpam": a step that is not an ending needs at least one option', path: 'machine.states.checkSpam', step: 'checkSpam' },
        { message: 'step "foundInSpam": no path from the first step "whoIsMissing" leads here', path: 'machine.states.foundInSpam', step: 'foundInSpam' },
        { message: 'step "checkSpam": no ending can be reached from here', path: 'machine.states.checkSpam', step: 'checkSpam' },
      ]);
    });

    it('refuses an outcome on a step that is not final, and kind outcome there', () => {
      expect(problemsAfter((d) => Object.assign(states(d).checkSpam.meta, { kind: 'outcome', outcome: 'resolved' }))).toEqual([
        { message: 'step "checkSpam": a step of kind "outcome" must be final ("type": "final")', path: 'machine.states.checkSpam.meta.kind', step: 'checkSpam' },
        { message: 'step "checkSpam": only an ending has an outcome', path: 'machine.states.checkSpam.meta.outcome', step: 'checkSpam' },
      ]);
    });
  });

  describe('check steps', () => {
    it('refuses a guard that flows/guards.ts does not have', () => {
      expect(problemsAfter((d) => (states(d).checkDomain.on.CHECK_RESULT[0].guard.type = 'dkimIs'))).toEqual([
        {
          message: 'step "checkDomain", event "CHECK_RESULT": unknown guard "dkimIs" (known: spfIs, mxIs, dmarcIs, headerSpfIs, headerDkimIs, headerDmarcIs, spamIs, bounceIs)',
          path: 'machine.states.checkDomain.on.CHECK_RESULT.0.guard.type',
          step: 'checkDomain',
          event: 'CHECK_RESULT',
        },
        // Without its guard the route is not taken, and nothing else leads to its target.
        { message: 'step "domainInOrder": no path from the first step "whoIsMissing" leads here', path: 'machine.states.domainInOrder', step: 'domainInOrder' },
      ]);
    });

    it('refuses a status the guard\'s part does not have', () => {
      expect(problemsAfter((d) => states(d).checkDomain.on.CHECK_RESULT[1].guard.params.status.push('null_mx'))).toEqual([
        {
          message: 'step "checkDomain", event "CHECK_RESULT": "null_mx" is not a status of spf (ok, missing, multiple, include_missing, too_many_lookups, invalid, error)',
          path: 'machine.states.checkDomain.on.CHECK_RESULT.1.guard.params.status',
          step: 'checkDomain',
          event: 'CHECK_RESULT',
        },
      ]);
    });

    it("refuses a guard that reads another check's result", () => {
      expect(problemsAfter((d) => (states(d).checkDomain.on.CHECK_RESULT[0].guard.type = 'headerDkimIs'))).toContainEqual({
        message: 'step "checkDomain", event "CHECK_RESULT": the guard "headerDkimIs" reads a headers check\'s result; this step runs email-domain',
        path: 'machine.states.checkDomain.on.CHECK_RESULT.0.guard.type',
        step: 'checkDomain',
        event: 'CHECK_RESULT',
      });
    });

    it('refuses includes on a headers check: only the domain check looks for them', () => {
      expect(
        problemsAfter((d) => {
          const step = states(d).checkDomain;
          step.meta.check = { type: 'headers', includes: ['amazonses.com'] };
          step.on.CHECK_RESULT = [{ target: step.on.CHECK_RESULT.at(-1).target }];
        }),
      ).toContainEqual({
        message: 'step "checkDomain": a headers check takes no includes and no dmarc setting; only email-domain does',
        path: 'machine.states.checkDomain.meta.check',
        step: 'checkDomain',
      });
    });

    it('refuses a check result whose last route has a guard', () => {
      expect(problemsAfter((d) => (states(d).checkDomain.on.CHECK_RESULT[2].guard = { type: 'spfIs', params: { status: ['error'] } }))).toEqual([
        {
          message: 'step "checkDomain", event "CHECK_RESULT": the last route has no guard: it is where any other result goes (a failed lookup, say)',
          path: 'machine.states.checkDomain.on.CHECK_RESULT.2',
          step: 'checkDomain',
          event: 'CHECK_RESULT',
        },
      ]);
    });

    it('refuses a check step that names no check, and a check on another step', () => {
      expect(
        problemsAfter((d) => {
          states(d).checkAddress.meta.check = states(d).checkDomain.meta.check;
          delete states(d).checkDomain.meta.check;
        }),
      ).toEqual([
        { message: 'step "checkAddress": only a step of kind "check" runs a check', path: 'machine.states.checkAddress.meta.check', step: 'checkAddress' },
        { message: 'step "checkDomain": a check step names its check in meta.check', path: 'machine.states.checkDomain.meta', step: 'checkDomain' },
      ]);
    });

    it('refuses CHECK_RESULT on another step, CHECK written in "on", and events the app sends itself', () => {
      expect(
        problemsAfter((d) => {
          Object.assign(states(d).checkSpam.on, { CHECK_RESULT: 'foundInSpam', BACK: 'contactSupport' });
          states(d).checkDomain.on = { CHECK: 'addInclude', ...states(d).checkDomain.on };
          for (const lng of LANGUAGES) Object.assign(d.texts[lng].checkSpam.options, { CHECK_RESULT: 'Result', BACK: 'Back' });
        }),
      ).toEqual([
        {
          message: 'step "checkSpam", event "CHECK_RESULT": only a check step receives CHECK_RESULT',
          path: 'machine.states.checkSpam.on.CHECK_RESULT',
          step: 'checkSpam',
          event: 'CHECK_RESULT',
        },
        {
          message: 'step "checkSpam", option "BACK": BACK is sent by the app itself and cannot be an option',
          path: 'machine.states.checkSpam.on.BACK',
          step: 'checkSpam',
          event: 'BACK',
        },
        {
          message: 'step "checkDomain", option "CHECK": CHECK is offered by every check step and sent by the person with a domain; it is not written in "on"',
          path: 'machine.states.checkDomain.on.CHECK',
          step: 'checkDomain',
          event: 'CHECK',
        },
      ]);
    });

    it('refuses guarded routes on an option', () => {
      expect(problemsAfter((d) => (states(d).checkSpam.on.NOT_IN_SPAM = [{ target: 'contactSupport' }]))).toEqual([
        {
          message: 'step "checkSpam", option "NOT_IN_SPAM": only CHECK_RESULT has guarded routes; an option leads to one step',
          path: 'machine.states.checkSpam.on.NOT_IN_SPAM',
          step: 'checkSpam',
          event: 'NOT_IN_SPAM',
        },
      ]);
    });

    it('refuses a check step with nowhere for its result to go', () => {
      expect(problemsAfter((d) => delete states(d).checkDomain.on.CHECK_RESULT)).toEqual([
        { message: 'step "checkDomain": a check step says where its result goes, in on.CHECK_RESULT', path: 'machine.states.checkDomain.on', step: 'checkDomain' },
        { message: 'step "checkUnavailable": no path from the first step "whoIsMissing" leads here', path: 'machine.states.checkUnavailable', step: 'checkUnavailable' },
        { message: 'step "domainInOrder": no path from the first step "whoIsMissing" leads here', path: 'machine.states.domainInOrder', step: 'domainInOrder' },
      ]);
    });
  });

  describe('texts', () => {
    it('refuses a guide title, summary or keywords that are empty, per language', () => {
      expect(
        problemsAfter((d) => {
          d.texts.sv.keywords = '  ';
          d.texts.no.title = '';
        }),
      ).toEqual([
        { message: 'in sv: the guide\'s keywords is empty', path: 'texts.sv.keywords', lng: 'sv' },
        { message: 'in no: the guide\'s title is empty', path: 'texts.no.title', lng: 'no' },
      ]);
    });

    it('refuses a step without texts in a language', () => {
      expect(problemsAfter((d) => delete d.texts.no.checkSpam)).toEqual([
        { message: 'step "checkSpam", in no: the step has no texts', path: 'texts.no.checkSpam', step: 'checkSpam', lng: 'no' },
      ]);
    });

    it('refuses an empty title and a missing body, endings included', () => {
      expect(
        problemsAfter((d) => {
          d.texts.de.checkSpam.title = ' ';
          delete d.texts.en.foundInSpam.body;
        }),
      ).toEqual([
        { message: 'step "checkSpam", in de: the title is empty', path: 'texts.de.checkSpam.title', step: 'checkSpam', lng: 'de' },
        { message: 'step "foundInSpam", in en: the body is missing', path: 'texts.en.foundInSpam.body', step: 'foundInSpam', lng: 'en' },
      ]);
    });

    it('accepts a step without agent wording, and refuses an empty one', () => {
      expect(problemsAfter((d) => delete d.texts.sv.checkSpam.body_agent)).toEqual([]);
      expect(problemsAfter((d) => (d.texts.sv.checkSpam.body_agent = ''))).toEqual([
        { message: 'step "checkSpam", in sv: the body_agent is empty', path: 'texts.sv.checkSpam.body_agent', step: 'checkSpam', lng: 'sv' },
      ]);
    });

    it('refuses an option without a label, in every language it lacks one', () => {
      expect(problemsAfter((d) => LANGUAGES.forEach((lng) => delete d.texts[lng].checkSpam.options.NOT_IN_SPAM))).toEqual(
        LANGUAGES.map((lng) => ({
          message: `step "checkSpam", option "NOT_IN_SPAM", in ${lng}: the label is missing`,
          path: `texts.${lng}.checkSpam.options.NOT_IN_SPAM`,
          step: 'checkSpam',
          event: 'NOT_IN_SPAM',
          lng,
        })),
      );
    });

    it('refuses a check step without a label for CHECK', () => {
      expect(problemsAfter((d) => (d.texts.en.checkDomain.options.CHECK = ''))).toEqual([
        { message: 'step "checkDomain", option "CHECK", in en: the label is empty', path: 'texts.en.checkDomain.options.CHECK', step: 'checkDomain', event: 'CHECK', lng: 'en' },
      ]);
    });

    it('refuses texts for an option or a step that does not exist', () => {
      expect(
        problemsAfter((d) => {
          d.texts.de.checkSpam.options.MAYBE = 'Vielleicht';
          d.texts.no.checkJunk = { title: 'Søppelpost', body: 'Se i søppelposten.' };
        }),
      ).toEqual([
        // Languages in their order: sv, no, de, en.
        { message: 'in no: texts for "checkJunk", which is not a step', path: 'texts.no.checkJunk', lng: 'no' },
        { message: 'step "checkSpam", option "MAYBE", in de: a label for an option the step does not have', path: 'texts.de.checkSpam.options.MAYBE', step: 'checkSpam', event: 'MAYBE', lng: 'de' },
      ]);
    });

    it('refuses a fact placeholder naming no fact, and a placeholder that is no fact', () => {
      expect(
        problemsAfter((d) => {
          d.texts.sv.checkSpam.body = 'Mejlet kommer från {{facts.sender}}.';
          d.texts.en.checkSpam.options.FOUND_IN_SPAM = 'Found {{count}}';
        }),
      ).toEqual([
        { message: 'step "checkSpam", in sv: the body: {{facts.sender}} names no fact', path: 'texts.sv.checkSpam.body', step: 'checkSpam', lng: 'sv' },
        {
          message: 'step "checkSpam", option "FOUND_IN_SPAM", in en: the label: {{count}} is not a fact (write {{facts.name}} or, in a body, {{session.ref}} or {{session.domain}})',
          path: 'texts.en.checkSpam.options.FOUND_IN_SPAM',
          step: 'checkSpam',
          event: 'FOUND_IN_SPAM',
          lng: 'en',
        },
      ]);
    });

    it('takes the session’s ref in a body, for a message to send on, but not in a title or a label, which all sessions share', () => {
      expect(
        problemsAfter((d) => {
          d.texts.sv.checkSpam.body = 'Skicka detta:\n\n> Hej! Jag har inte fått mejlet.\n>\n> Referens: {{session.ref}}';
          d.texts.en.checkSpam.body_agent = 'Give them the ref {{ session.ref }}.';
          d.texts.de.checkSpam.title = 'Referenz {{session.ref}}';
          d.texts.en.checkSpam.options.FOUND_IN_SPAM = 'Found ({{session.ref}})';
        }),
      ).toEqual([
        { message: 'step "checkSpam", in de: the title: {{session.ref}} can only stand in a step\'s body', path: 'texts.de.checkSpam.title', step: 'checkSpam', lng: 'de' },
        {
          message: 'step "checkSpam", option "FOUND_IN_SPAM", in en: the label: {{session.ref}} can only stand in a step\'s body',
          path: 'texts.en.checkSpam.options.FOUND_IN_SPAM',
          step: 'checkSpam',
          event: 'FOUND_IN_SPAM',
          lng: 'en',
        },
      ]);
    });

    it('refuses raw HTML in a text, but not a tag written as code', () => {
      expect(
        problemsAfter((d) => {
          d.texts.de.checkSpam.body = 'Suchen Sie nach <b>{{facts.defaultSender}}</b>.';
          d.texts.en.checkSpam.body_agent = '<div>\nAsk them to look in spam.\n</div>';
          d.texts.sv.checkSpam.body = 'Skriv `<b>` eller\n\n    <i>kod</i>\n\nså syns taggen som den är.';
        }),
      ).toEqual([
        {
          message: 'step "checkSpam", in de: the body contains HTML (<b> </b>); write Markdown, which is shown with HTML escaped',
          path: 'texts.de.checkSpam.body',
          step: 'checkSpam',
          lng: 'de',
        },
        {
          message: 'step "checkSpam", in en: the body_agent contains HTML (<div>\nAsk them to look in spam.\n</div>); write Markdown, which is shown with HTML escaped',
          path: 'texts.en.checkSpam.body_agent',
          step: 'checkSpam',
          lng: 'en',
        },
      ]);
    });
  });

  describe('facts', () => {
    it('refuses a check include naming no fact', () => {
      expect(problemsAfter((d) => (states(d).checkDomain.meta.check.includes = ['{{facts.include}}']))).toEqual([
        {
          message: 'step "checkDomain": the check\'s include {{facts.include}} names no fact',
          path: 'machine.states.checkDomain.meta.check.includes.0',
          step: 'checkDomain',
        },
      ]);
    });

    it('accepts a fact per language without a value in some languages (they show the English one), but not without English', () => {
      expect(problemsAfter((d) => delete d.facts.bookingsMenu.no)).toEqual([]);
      expect(problemsAfter((d) => delete d.facts.bookingsMenu.en)).toEqual([
        {
          message: 'in en: the fact "bookingsMenu" is given per language but has no value in en, which languages without their own fall back to',
          path: 'facts.bookingsMenu',
          lng: 'en',
        },
      ]);
    });

    it("refuses another guide's fact as a check include", () => {
      expect(
        problemsAfter((d) => {
          d.facts.otherSender = { guide: 'participant-no-email', fact: 'senderAddress' };
          states(d).checkDomain.meta.check.includes.push('{{facts.otherSender}}');
        }),
      ).toEqual([
        {
          message: "step \"checkDomain\": the check's include {{facts.otherSender}} is another guide's fact; a check looks for its own guide's facts",
          path: 'machine.states.checkDomain.meta.check.includes.1',
          step: 'checkDomain',
        },
      ]);
    });

    it('refuses a reference that is not a guide id and a fact name', () => {
      const problems = problemsAfter((d) => (d.facts.otherSender = { guide: 'Participant No Email', fact: 'sender-address' }));
      expect(problems).toEqual([
        {
          message: expect.stringContaining(`facts.otherSender: a fact is a value`) as string,
          path: 'facts.otherSender',
        },
      ]);
      expect(problems[0]!.message).toContain(`another guide's fact ({"guide": "guide-id", "fact": "factName"})`);
    });

    it('refuses a fact per language as a check include', () => {
      expect(problemsAfter((d) => states(d).checkDomain.meta.check.includes.push('{{facts.bookingsMenu}}'))).toEqual([
        {
          message: 'step "checkDomain": the check\'s include {{facts.bookingsMenu}} is a fact per language; a check looks for one value',
          path: 'machine.states.checkDomain.meta.check.includes.1',
          step: 'checkDomain',
        },
      ]);
    });
  });

  it('lists every problem at once, from every part of the document', () => {
    const problems = problemsAfter((d) => {
      d.machine.id = 'other';
      states(d).checkAddress.on.ADDRESS_WRONG = 'nowhere';
      d.texts.de.title = '';
      d.texts.en.checkSpam.body = '{{facts.nothing}}';
    });
    expect(problems.map((p) => p.path)).toEqual([
      'machine.id',
      'machine.states.checkAddress.on.ADDRESS_WRONG',
      'machine.states.addressCorrected',
      'texts.de.title',
      'texts.en.checkSpam.body',
    ]);
  });
});
