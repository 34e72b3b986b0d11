// Enhancements for the studio; every form works without this file (it posts and the page reloads).
(() => {
  // A form that could not be saved comes back with a message: put focus on it, so it is read out first.
  const trouble = document.getElementById('trouble');
  if (trouble) {
    trouble.tabIndex = -1;
    trouble.focus();
  }

  const DELAY = 1500;
  const backupKey = (form) => `mailhelp-studio:${form.getAttribute('action')}:${form.querySelector('[name=op]')?.value ?? ''}`;
  const fields = (form) => [...form.querySelectorAll('input[name]:not([type=hidden]):not([readonly]), textarea[name]:not([readonly]), select[name]')];
  const setRevision = (revision) => {
    for (const input of document.querySelectorAll('input[name=revision]')) input.value = String(revision);
  };

  for (const form of document.querySelectorAll('form[data-autosave]')) {
    const status = form.querySelector('.autosave-status');
    const say = (name) => {
      if (status) status.textContent = status.dataset[name] ?? '';
    };
    let timer;
    let pending = false;

    // A closed tab or a lost connection never loses text: every change is kept in this browser until it is saved.
    const keep = () => {
      const values = Object.fromEntries(fields(form).map((f) => [f.name, f.value]));
      localStorage.setItem(backupKey(form), JSON.stringify({ revision: form.revision.value, values }));
    };
    const save = async (keepalive = false) => {
      clearTimeout(timer);
      if (!pending) return;
      pending = false;
      say('saving');
      try {
        const res = await fetch(form.action, {
          method: 'POST',
          headers: { 'X-Autosave': '1', Accept: 'application/json' },
          body: new URLSearchParams(new FormData(form)),
          credentials: 'same-origin',
          keepalive,
        });
        if (res.ok) {
          setRevision((await res.json()).revision);
          localStorage.removeItem(backupKey(form));
          say('saved');
        } else say(res.status === 409 ? 'conflict' : 'failed');
      } catch {
        say('failed');
      }
    };
    form.addEventListener('input', () => {
      pending = true;
      keep();
      clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    });
    form.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        pending = true;
        save();
      }
    });
    addEventListener('pagehide', () => save(true));

    // Text kept from a visit that did not save it: put back when the draft has not changed since, else offered.
    const kept = JSON.parse(localStorage.getItem(backupKey(form)) ?? 'null');
    if (kept) {
      const differs = fields(form).some((f) => f.name in kept.values && kept.values[f.name] !== f.value);
      const restore = () => {
        for (const f of fields(form)) if (f.name in kept.values) f.value = kept.values[f.name];
        pending = true;
        say('restored');
        timer = setTimeout(save, DELAY);
      };
      if (!differs) localStorage.removeItem(backupKey(form));
      else if (kept.revision === form.revision.value) restore();
      else if (status) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = status.dataset.restore ?? 'Restore';
        button.addEventListener('click', () => {
          restore();
          button.remove();
        });
        status.after(button);
        say('older');
      }
    }
  }
})();
