// The request to support: how many characters the message has left, shown under the field as the person types.
// Without this file the field still stops at its maxlength and its hint says the limit. The count a screen reader
// hears is updated only after a pause in typing, so it does not speak at every keystroke.
(() => {
  const field = document.getElementById('handoff-message');
  const template = field?.dataset.counter;
  if (!field || !template || !field.maxLength) return;
  const shown = document.createElement('p');
  shown.className = 'hint counter';
  shown.setAttribute('aria-hidden', 'true');
  const heard = document.createElement('p');
  heard.className = 'visually-hidden';
  heard.setAttribute('aria-live', 'polite');
  field.after(shown, heard);
  let pause;
  const text = () => template.replace('%n', Math.max(0, field.maxLength - field.value.length).toLocaleString(document.documentElement.lang));
  const update = () => {
    shown.textContent = text();
    clearTimeout(pause);
    pause = setTimeout(() => (heard.textContent = text()), 1000);
  };
  shown.textContent = text();
  field.addEventListener('input', update);
})();
