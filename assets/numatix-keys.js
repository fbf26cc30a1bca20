// Keyboard shortcuts and browser notifications for the trade page (numatix/ui/components/shortcuts.py).
// A file, not an inline script, so the Content-Security-Policy needs no inline script for it.
(() => {
  if (window.numatixKeys) return;
  window.numatixKeys = true;
  const click = (id) => { const el = document.querySelector(`[data-testid="${id}"]`); if (el) el.click(); };
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA"
                              || target.isContentEditable);
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?") { click("shortcuts-open"); event.preventDefault(); }
    else if (event.key === "b") click("side-buy");
    else if (event.key === "s") click("side-sell");
    else if (event.key === "/") { click("symbol-picker"); event.preventDefault(); }
  });
  // Radix's slider puts role="slider" on its thumb, not on the root that takes aria-label:
  // give each thumb its slider's name, so a screen reader reads what the slider is for.
  const nameSliderThumbs = () => document.querySelectorAll('.rt-SliderRoot[aria-label]').forEach((root) =>
    root.querySelectorAll('[role="slider"]:not([aria-label])').forEach((thumb) =>
      thumb.setAttribute('aria-label', root.getAttribute('aria-label'))));
  // As soon as a thumb is added (the form draws its slider anew to reset it), not up to
  // half a second later: a screen reader never meets a thumb without a name.
  new MutationObserver(nameSliderThumbs).observe(document.documentElement, { childList: true, subtree: true });
  nameSliderThumbs();
  // A number field takes digits, one point and thousands commas, nothing else: a letter
  // typed or pasted into Price, Amount or Total is not inserted (the server still checks).
  document.addEventListener("beforeinput", (event) => {
    const target = event.target;
    if (!target || target.tagName !== "INPUT" || target.getAttribute("inputmode") !== "decimal") return;
    if (!event.inputType || !event.inputType.startsWith("insert")) return;
    const text = event.data ?? (event.dataTransfer ? event.dataTransfer.getData("text") : "");
    const start = target.selectionStart ?? target.value.length, end = target.selectionEnd ?? start;
    const next = target.value.slice(0, start) + (text || "") + target.value.slice(end);
    if (!/^[0-9,]*\.?[0-9]*$/.test(next)) event.preventDefault();
  }, true);
  // A table box wider than the screen: data-more="yes" while columns are hidden on its right
  // (its CSS then shows the "scroll sideways" hint after it). Radix's table scrolls in its
  // own viewport, whose scrollbar it hides.
  const markScrollBoxes = () => document.querySelectorAll("[data-scroll-box]").forEach((box) => {
    const scroller = box.querySelector("[data-radix-scroll-area-viewport]") || box;
    const more = scroller.scrollWidth - scroller.clientWidth - scroller.scrollLeft > 2 ? "yes" : "no";
    if (box.dataset.more !== more) box.dataset.more = more;
  });
  setInterval(markScrollBoxes, 500);
  document.addEventListener("scroll", markScrollBoxes, true);
  window.numatixAskToNotify = () => {
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
  };
  window.numatixNotify = (text) => {
    if ("Notification" in window && Notification.permission === "granted") {
      new Notification("Numatix", { body: text });
    }
  };
})();
