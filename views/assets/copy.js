// Copy buttons (the session's reference code): hidden until this script finds a usable clipboard, so without it the
// code is plain text to select. Delegated and re-revealed on DOM changes, because embed.js swaps pages in place.
(() => {
  if (!navigator.clipboard) return;
  const reveal = () => {
    for (const button of document.querySelectorAll('button.copy[data-copy][hidden]')) button.hidden = false;
  };
  reveal();
  new MutationObserver(reveal).observe(document.body, { childList: true, subtree: true });
  document.addEventListener('click', async (e) => {
    const button = e.target instanceof Element && e.target.closest('button.copy[data-copy]');
    if (!button) return;
    const source = document.querySelector(button.dataset.copy);
    if (!source) return;
    await navigator.clipboard.writeText(source.textContent.trim());
    const status = button.parentElement && button.parentElement.querySelector('.copied');
    if (status) status.textContent = '✓';
  });
})();
