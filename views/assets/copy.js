// Copy buttons: the session's reference code, and every record (code block) and ready-to-send message (quote) of a
// step. Hidden or not added until this script finds a usable clipboard, so without it all is plain text to select.
// Delegated and re-run on DOM changes, because embed.js swaps pages in place.
(() => {
  if (!navigator.clipboard) return;
  const reveal = () => {
    for (const button of document.querySelectorAll('button.copy[data-copy][hidden]')) button.hidden = false;
    for (const block of document.querySelectorAll('.step .body pre, .step .body blockquote, .step pre.record')) {
      if (block.nextElementSibling?.classList.contains('copy-row')) continue;
      const step = block.closest('.step');
      const row = document.createElement('p');
      row.className = 'copy-row';
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'copy secondary';
      button.textContent = step.dataset.copyLabel || 'Copy';
      const status = document.createElement('span');
      status.className = 'copied';
      status.setAttribute('role', 'status');
      row.append(button, ' ', status);
      block.after(row);
    }
  };
  reveal();
  new MutationObserver(reveal).observe(document.body, { childList: true, subtree: true });
  document.addEventListener('click', async (e) => {
    const button = e.target instanceof Element && e.target.closest('button.copy');
    if (!button) return;
    const row = button.parentElement;
    const source = button.dataset.copy ? document.querySelector(button.dataset.copy) : row?.previousElementSibling;
    if (!source) return;
    try {
      // innerText keeps a quote's paragraphs and a list's lines apart, as they are shown.
      await navigator.clipboard.writeText((source.innerText || source.textContent).trim());
    } catch {
      // Not allowed here (a frame without the permission): select the text, ready to copy by hand.
      getSelection()?.selectAllChildren(source);
      return;
    }
    const status = row && row.querySelector('.copied');
    if (status) status.textContent = button.dataset.copy ? '✓' : `✓ ${button.closest('.step')?.dataset.copiedLabel ?? ''}`.trim();
  });
})();
