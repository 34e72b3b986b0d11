import { describe, expect, it } from 'vitest';
import { FlowRegistry } from '../../server/engine/flow-registry.ts';
import { createI18n } from '../../server/i18n/i18n.ts';
import { LANGUAGES, type Language } from '../../server/i18n/locales.ts';
import { StepRenderer } from '../../server/render/step.ts';
import { FlowSearch, excerpt, fold } from '../../server/services/search.ts';
import { everyDocument } from '../fixtures/documents.ts';

// Every guide: the built-in ones and those that exist only as document files. A guide from a file must be found
// by its own words as well as a built-in one, and must not crowd the others out.
const registry = new FlowRegistry(everyDocument());
const renderer = new StepRenderer(createI18n());
const search = new FlowSearch(registry, renderer);

/*
 * What people type into "Describe your problem" when they have the problem a flow solves: short, lower case, in
 * their own words rather than the flow's, some with a typo or without å/ä/ö/ø/ü. Each must put that flow first.
 * A natural query that fails is a gap in the flow's `keywords`, not a query to drop.
 */
const QUERIES: Record<string, Record<Language, string[]>> = {
  'missing-email': {
    sv: ['jag har inte fått inbjudan', 'jag har inte fått något mejl', 'jag har inte fått min lönespecifikation', 'jag fick aldrig enkäten'],
    no: ['jeg har ikke fått e-posten', 'jeg fikk aldri invitasjonen', 'jeg har ikke fått lønnsslippen', 'jeg finner ikke e-posten min'],
    de: ['ich habe keine e-mail bekommen', 'ich habe die einladung nie erhalten', 'ich habe meine gehaltsabrechnung nicht bekommen', 'ich finde meine e-mail nicht'],
    en: ['i never got the invitation', "i didn't get the email", "i haven't received my payslip", 'i never received the survey'],
  },
  'participant-no-email': {
    sv: ['deltagare har inte fått inbjudan', 'mina deltagare har inte fått min inbjudan', 'fatt ingen kallelse till kursen', 'kalenderinbjudan kom inte', 'kursdeltagarna far inte mejl'],
    no: ['deltaker har ikke fått invitasjon', 'har ikke mottat invitasjon', 'deltakerne får ikke e-post', 'kalenderinvitasjon kom ikke'],
    de: ['teilnehmer hat keine einladung bekommen', 'meine teilnehmer haben meine einladung nicht bekommen', 'kurseinladung kommt nicht an', 'einladung geloscht', 'teilnehmer bekomt keine mail'],
    en: ['participant didnt get invitation', 'course invite not received', 'student did not recieve login link', 'calendar invite missing', 'my participants did not get my invitation'],
  },
  'survey-emails-blocked': {
    sv: ['enkäten kommer inte fram', 'enkatutskick blockeras', 'respondenterna får inte enkäten', 'medarbetarenkäten kommer inte fram'],
    no: ['undersøkelsen blir blokkert', 'respondentene får ikke undersokelsen', 'spørreundersøkelse stoppes av brannmur', 'undersokelsen kommer ikke fram'],
    de: ['umfrage wird blockiert', 'befragte bekommen die umfrage nicht', 'teilnehmer bekommen umfrage nicht', 'befragung wird blokiert'],
    en: ['survey emails blocked', 'respondents not getting survey', 'survey blocked by spam filter', 'survay blocked'],
  },
  'delivered-not-in-inbox': {
    sv: ['nyhetsbrev levererat men syns inte', 'hubspot säger levererat', 'nyhetsbrev hamnar i skrapposten', 'marknadsforingsmejl hittas inte'],
    no: ['nyhetsbrev levert men ikke i innboksen', 'hubspot epost står som levert', 'nyhetsbrevet havner i soppelpost', 'markedsforings epost i karantene'],
    de: [
      'newsletter zugestellt aber nicht im posteingang',
      'laut hubspot zugestellt aber kunde hat nichts bekommen',
      'newsletter landet im spamordner',
      'marketing mail landet in quarantane',
    ],
    en: ['newsletter delivered but not in inbox', 'hubspot says delivered but contact cant find it', 'newsletter in spam folder', 'marketing email in quarantine'],
  },
  'track-sent-email': {
    sv: ['har fakturan skickats', 'kunden fick inte fakturan', 'lonebesked kommer inte fram', 'fakturan har inte kommit fram'],
    no: ['ble fakturaen sendt', 'lønnsslipp kom ikke frem', 'lonnsslipp ikke mottat', 'sjekke om e-post er sendt'],
    de: ['wurde die rechnung verschickt', 'kunde hat rechnung nicht bekommen', 'lohnabrechnung nicht erhalten', 'email zuruckgewiesen'],
    en: ['was my invoice sent', 'customer didnt get the invoice', 'payslip email not received', 'how do i know if the email was sent'],
  },
  'notification-sender-setup': {
    sv: ['ändra avsändaradress', 'påminnelse skickas om och om igen', 'paminnelsen skickas hela tiden', 'no reply adress'],
    no: ['endre avsenderadresse', 'paminnelse gjentas hele tiden', 'sende fra eget domene', 'noreply adresse'],
    de: ['absender andern', 'erinnerung automatisch wiederholen', 'benachrichtigungen von eigener domain senden', 'eigene absenderadresse verwenden'],
    en: ['change sender address', 'reminders keep repeating', 'send notifications from our own domain', 'use our own email address as sender'],
  },
  'booking-confirmation-missing': {
    sv: ['kunden fick ingen bokningsbekräftelse', 'bekraftelsen pa bokningen kom aldrig', 'kunderna far inget bekräftelsemejl', 'ingen bekräftelse efter tidsbokning'],
    no: ['kunden fikk ikke bestillingsbekreftelse', 'bekreftelse pa bestilling kom aldri', 'kundene får ikke kvittering', 'ingen bekreftelse etter timebestilling'],
    de: ['kunde hat keine buchungsbestätigung bekommen', 'terminbestatigung kommt nicht an', 'gast bekommt keine bestätigungsmail', 'keine bestätigung nach der buchung'],
    en: ['customer did not get booking confirmation', 'appointment confirmation never arrived', 'guests not receiving confirmation email', 'no confirmation after booking'],
  },
};

const cases = Object.entries(QUERIES).flatMap(([flowId, byLanguage]) =>
  LANGUAGES.flatMap((lng) => byLanguage[lng].map((q) => [lng, q, flowId] as const)),
);

describe('search: a visitor describes the problem in their own words', () => {
  it('has at least three queries for every flow in every language', () => {
    expect(Object.keys(QUERIES).sort()).toEqual(registry.list.map((f) => f.id).sort());
    for (const [flowId, byLanguage] of Object.entries(QUERIES))
      for (const lng of LANGUAGES) expect(byLanguage[lng].length, `${flowId} ${lng}`).toBeGreaterThanOrEqual(3);
  });

  it.each(cases)('[%s] "%s" finds %s first', (lng, q, flowId) => {
    expect(search.search(q, lng)[0]?.flowId).toBe(flowId);
  });

  it.each([
    ['sv', 'umfrage wird blockiert', 'survey-emails-blocked'],
    ['sv', 'einladung nicht erhalten', 'participant-no-email'],
    ['de', 'newsletter delivered but not in inbox', 'delivered-not-in-inbox'],
    ['en', 'ble fakturaen sendt', 'track-sent-email'],
    ['no', 'absenderadresse ändern', 'notification-sender-setup'],
  ] as const)('on the %s page, "%s" (another language) still finds %s, titled in the page language', (lng, q, flowId) => {
    const [first] = search.search(q, lng);
    expect(first?.flowId).toBe(flowId);
    expect(first!.title).toBe(renderer.text(registry.get(flowId)!, 'title', lng));
  });
});

describe('search: what it does not find', () => {
  const nonsense = ['xqzvw blorp', 'asdfghjkl', 'qqq zzz'];
  it.each(LANGUAGES.flatMap((lng) => nonsense.map((q) => [lng, q] as const)))('[%s] nonsense "%s" finds nothing', (lng, q) => {
    expect(search.search(q, lng)).toEqual([]);
  });

  it.each([
    ['en', 'the and of'],
    ['sv', 'och att det'],
    ['no', 'og det er'],
    ['de', 'und der die'],
  ] as const)('[%s] "%s", only stop words, finds nothing', (lng, q) => {
    expect(search.search(q, lng)).toEqual([]);
  });

  it('finds nothing for an empty or blank query, and does not choke on a long one', () => {
    expect(search.search('', 'en')).toEqual([]);
    expect(search.search('   ', 'sv')).toEqual([]);
    expect(() => search.search('enkät blockeras '.repeat(100), 'sv')).not.toThrow();
  });
});

describe('search: the hits', () => {
  const hits = cases.flatMap(([lng, q]) => search.search(q, lng).map((hit) => [lng, q, hit] as const));

  it('points into a flow at a step that names one of its steps, which a session can start at', () => {
    const withStep = hits.filter(([, , hit]) => hit.stepId);
    expect(withStep.length).toBeGreaterThan(0);
    for (const [lng, q, hit] of withStep) {
      const flow = registry.get(hit.flowId)!;
      expect(Object.keys(flow.machine.states), q).toContain(hit.stepId);
      expect(registry.entryStep(flow, hit.stepId!), q).toBe(hit.stepId);
      expect(hit.stepId, q).not.toBe(flow.initial);
      expect(hit.stepTitle, q).toBe(renderer.text(flow, `${hit.stepId}.title`, lng));
    }
  });

  it.each([
    ['sv', 'no reply adress', 'notification-sender-setup', 'noReplySender'],
    ['no', 'agro epost logg', 'track-sent-email', 'checkEmailLog'],
  ] as const)('[%s] "%s" starts %s at the step %s', (lng, q, flowId, stepId) => {
    expect(search.search(q, lng)[0]).toMatchObject({ flowId, stepId });
  });

  /*
   * A deep start skips the questions before a step: right when the words name that step, wrong when they only say
   * that an email is missing (every guide is about that), where it sent people into "merge your SPF record".
   */
  it.each([
    ['sv', 'no reply adress', 'notification-sender-setup', 'noReplySender'],
    ['no', 'agro epost logg', 'track-sent-email', 'checkEmailLog'],
    ['sv', 'slå ihop spf-posten', 'participant-no-email', 'mergeSpfRecord'],
    ['en', 'merge spf record', 'participant-no-email', 'mergeSpfRecord'],
  ] as const)('[%s] "%s" names a step: %s starts at %s', (lng, q, flowId, stepId) => {
    expect(search.search(q, lng).find((h) => h.flowId === flowId)).toMatchObject({ stepId });
  });

  it.each([
    ['sv', 'jag får inga mejl'],
    ['sv', 'mejl kommer inte fram'],
    ['sv', 'jag har inte fått inbjudan'],
    ['no', 'jeg får ikke e-post'],
    ['no', 'jeg har ikke fått e-posten'],
    ['de', 'ich habe keine E-Mail bekommen'],
    ['de', 'ich bekomme keine mails'],
    ['en', 'i get no email'],
    ['en', 'emails not arriving'],
    ['en', 'I never got the invitation'],
  ] as const)('[%s] "%s" names no step: every hit starts at its guide\'s beginning', (lng, q) => {
    const hits = search.search(q, lng);
    expect(hits.length, q).toBeGreaterThan(0);
    expect(hits.filter((h) => h.stepId).map((h) => `${h.flowId}#${h.stepId}`), q).toEqual([]);
  });

  it('has a title in the page language and a short snippet, one hit per flow, at most `limit`', () => {
    for (const [lng, q, hit] of hits) {
      const flow = registry.get(hit.flowId)!;
      expect(hit.title, q).toBe(renderer.text(flow, 'title', lng));
      expect(hit.snippet.trim(), q).not.toBe('');
      expect(hit.snippet.length, q).toBeLessThanOrEqual(160 + 4);
      expect(Object.keys(hit).every((k) => ['flowId', 'stepId', 'stepTitle', 'title', 'snippet'].includes(k)), q).toBe(true);
    }
    for (const [lng, q] of cases) {
      const ids = search.search(q, lng).map((h) => h.flowId);
      expect(new Set(ids).size, q).toBe(ids.length);
    }
    expect(search.search('mejl kommer inte fram', 'sv', 2).length).toBeLessThanOrEqual(2);
  });
});

describe('fold', () => {
  it('lower-cases and drops diacritics, as people type on a foreign keyboard', () => {
    expect(fold('Skräppost Grüße Søppel')).toBe('skrappost grusse soppel');
    expect(fold('Æble Œuvre Ångström Ça')).toBe('aeble ouvre angstrom ca');
  });
});

describe('excerpt', () => {
  const words = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `word${from + i}`).join(' ');

  it('returns a short text whole', () => {
    expect(excerpt('Check the spam folder.', ['spam'])).toBe('Check the spam folder.');
  });

  it('cuts a long text around the first matched word, on word boundaries', () => {
    const text = `${words(40)} Look in the skräppost folder first. ${words(40, 100)}`;
    const out = excerpt(text, ['skrappost']);
    expect(out).toMatch(/^… /);
    expect(out).toMatch(/ …$/);
    expect(out).toContain('skräppost');
    const inner = out.slice(2, -2);
    expect(text).toContain(inner);
    expect(text.charAt(text.indexOf(inner) - 1)).toBe(' ');
    expect(text.charAt(text.indexOf(inner) + inner.length)).toBe(' ');
    expect(inner.length).toBeLessThanOrEqual(160);
  });

  it('starts at the beginning when no term is found, or the term is near the start', () => {
    const text = words(80);
    expect(excerpt(text, ['nowhere'])).toMatch(/^word0 word1 .* …$/);
    expect(excerpt(text, ['word2'])).toMatch(/^word0 /);
  });

  it('ends without an ellipsis when the cut reaches the end of the text', () => {
    const text = `${words(60)} the end`;
    const out = excerpt(text, ['end'], 60);
    expect(out).toMatch(/^… /);
    expect(out).toMatch(/the end$/);
  });
});
