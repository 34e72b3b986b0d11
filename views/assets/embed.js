// Enhances the widget's frame: steps advance without full reloads, the frame tells the host page its height and
// what happened, focus moves to each new step. Without this file every page still works as plain forms.
(() => {
  let host = document.querySelector('main')?.dataset.host;
  const post = (type, detail) => host && parent !== window && parent.postMessage({ source: 'mailhelp', type, detail }, host);

  const announce = () => {
    const main = document.querySelector('main');
    if (!main) return;
    host = main.dataset.host || host;
    const { flow, session, step, outcome, close } = main.dataset;
    if (close) post('labels', { close });
    if (step) post('step', { flowId: flow, sessionId: session, stepId: step });
    if (outcome) post('outcome', { flowId: flow, sessionId: session, stepId: step, outcome });
  };

  new ResizeObserver(() => post('resize', { height: Math.ceil(document.body.getBoundingClientRect().height) })).observe(document.body);

  async function go(url, init, push) {
    let res;
    try {
      res = await fetch(url, { ...init, headers: { accept: 'text/html' } });
    } catch {
      location.href = typeof url === 'string' ? url : url.href; // offline or blocked: fall back to a plain load
      return;
    }
    const next = new DOMParser().parseFromString(await res.text(), 'text/html');
    const main = next.querySelector('main');
    if (!main) return void (location.href = res.url);
    document.querySelector('main').replaceWith(main);
    const nav = next.querySelector('.languages');
    if (nav) document.querySelector('.languages')?.replaceWith(nav);
    document.title = next.title;
    document.documentElement.lang = next.documentElement.lang;
    if (push) history.pushState(null, '', res.url);
    // A field that asks for a correction (autofocus on a full page load) comes first, then the step and a check's
    // result above it; a screen reader reads the step's title as the section's name.
    (main.querySelector('[autofocus]') || main.querySelector('#step') || main.querySelector('h1') || main).focus();
    announce();
  }

  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || new URL(form.action).origin !== location.origin) return;
    e.preventDefault();
    const data = new FormData(form, e.submitter);
    if (form.action.endsWith('/feedback')) post('feedback', { sessionId: document.querySelector('main').dataset.session, helpful: data.get('helpful') === 'yes' });
    if (form.method === 'get') {
      const url = new URL(form.action);
      url.search = new URLSearchParams(data).toString();
      go(url, { method: 'GET' }, true);
    } else go(form.action, { method: 'POST', body: new URLSearchParams(data) }, true);
  });

  document.addEventListener('click', (e) => {
    const a = e.target instanceof Element && e.target.closest('a[href]');
    if (!a || a.target || a.origin !== location.origin || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    go(a.href, { method: 'GET' }, true);
  });

  addEventListener('popstate', () => go(location.href, { method: 'GET' }, false));
  addEventListener('keydown', (e) => e.key === 'Escape' && post('close'));
  announce();
})();
