/* mailhelp widget loader: adds a launcher and a panel (or an inline frame) showing the guides. It only builds the
   frame and passes messages; every step is rendered by the server inside the frame. */
(() => {
  const script = document.currentScript;
  if (!script || window.mailhelp) return;
  const d = script.dataset;
  const app = new URL(script.src).origin;
  const doc = document;
  let lang = d.lang || doc.documentElement.lang || navigator.language || '';
  let frame, panel, launcher, shut;

  const src = (flow) =>
    `${app}/embed${flow ? `/flows/${encodeURIComponent(flow)}` : '/'}?lng=${encodeURIComponent(lang)}&origin=${encodeURIComponent(location.origin)}`;


  function makeFrame(flow) {
    frame = doc.createElement('iframe');
    frame.src = src(flow);
    frame.title = d.label || 'Help';
    frame.allow = 'clipboard-write'; // the steps' copy buttons
    frame.style.cssText = 'border:0;width:100%;height:420px;display:block;background:#fff';
    return frame;
  }

  const emit = (type, detail) => doc.dispatchEvent(new CustomEvent(`mailhelp:${type}`, { detail }));

  function open() {
    if (!panel) return;
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    frame.focus();
  }

  function close() {
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  if (d.mode === 'inline') {
    const target = doc.querySelector(d.target || '');
    if (!target) return;
    target.append(makeFrame(d.flow));
  } else {
    const side = d.position === 'left' ? 'left' : 'right';
    const accent = d.color || '#0b57a4';
    launcher = doc.createElement('button');
    launcher.type = 'button';
    launcher.textContent = d.label || 'Help';
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-controls', 'mailhelp-panel');
    launcher.style.cssText = `position:fixed;bottom:20px;${side}:20px;z-index:2147483000;font:600 16px system-ui,sans-serif;padding:12px 18px;border:0;border-radius:24px;background:${accent};color:#fff;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)`;
    panel = doc.createElement('div');
    panel.id = 'mailhelp-panel';
    panel.hidden = true;
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', d.label || 'Help');
    panel.style.cssText = `position:fixed;bottom:76px;${side}:20px;z-index:2147483000;width:min(380px,calc(100vw - 40px));max-height:calc(100vh - 100px);overflow:auto;border-radius:12px;background:#fff;box-shadow:0 4px 24px rgba(0,0,0,.3)`;
    // A close button that stays in view above the frame; the frame names it in the guide's language.
    const bar = doc.createElement('div');
    bar.style.cssText = 'position:sticky;top:0;z-index:1;display:flex;justify-content:flex-end;background:#fff';
    shut = doc.createElement('button');
    shut.type = 'button';
    shut.textContent = '×';
    shut.setAttribute('aria-label', 'Close');
    shut.style.cssText = 'width:44px;height:44px;border:0;background:none;color:#222;font:28px/1 system-ui,sans-serif;cursor:pointer';
    shut.addEventListener('click', close);
    bar.append(shut);
    panel.append(bar, makeFrame(d.flow));
    launcher.addEventListener('click', () => (panel.hidden ? open() : close()));
    panel.addEventListener('keydown', (e) => e.key === 'Escape' && close());
    doc.body.append(panel, launcher);
  }

  // Only our own frame may talk to us: check both who sent the message and from where.
  addEventListener('message', (e) => {
    const m = e.data;
    if (e.origin !== app || !frame || e.source !== frame.contentWindow || !m || m.source !== 'mailhelp') return;
    if (m.type === 'resize') frame.style.height = `${Math.min(Math.max(Number(m.detail?.height) || 0, 200), 2000)}px`;
    else if (m.type === 'close') close();
    else if (m.type === 'labels') shut && m.detail?.close && shut.setAttribute('aria-label', m.detail.close);
    else if (['step', 'outcome', 'feedback'].includes(m.type)) emit(m.type, m.detail);
  });

  window.mailhelp = {
    open,
    close,
    start(flow, options = {}) {
      if (options.lng) lang = options.lng;
      frame.src = src(flow);
      open();
    },
  };
})();
