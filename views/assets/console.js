// Enhancements for the agent console; every page works without this file.
(() => {
  // Keyboard shortcuts: 1–9 pick an option, B goes back — unless the agent is typing.
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const el = e.target;
    if (el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
    const key = e.key.toLowerCase();
    const button = document.querySelector(`button[data-key="${CSS.escape(key)}"]`);
    if (button) {
      e.preventDefault();
      button.click();
    }
  });

  // Copy buttons: shown only when the clipboard can be used.
  const status = document.querySelector('.copied');
  for (const button of document.querySelectorAll('button.copy[data-copy]')) {
    if (!navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      const source = document.querySelector(button.dataset.copy);
      if (!source) return;
      const text = 'value' in source ? source.value : source.innerText;
      await navigator.clipboard.writeText(text);
      button.dataset.copied = 'true';
      if (status) status.textContent = button.textContent + ' ✓';
    });
  }

  // After an answer the page reloads: put focus on the new step so screen readers announce it.
  const title = document.getElementById('step-title');
  if (title && document.referrer && new URL(document.referrer).pathname === location.pathname) title.focus();
})();
