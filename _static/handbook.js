// The web edition's keyboard repairs to sphinx-book-theme 1.4.0 and pydata-sphinx-theme 0.20.
//
// sphinx-book-theme blurs its header buttons (colour mode, search, sidebar toggles) on
// every click, to hide a tooltip after a mouse click (addBlurToButtons). A keyboard press
// fires that click too, so focus fell to <body>: the reader lost their place, a screen
// reader announced the document, and the colour-mode menu could not be reached with the
// arrow keys (WCAG 2.4.3, 2.4.7). So these buttons ignore blur() during a click that came
// from the keyboard (a click with detail 0); a mouse click still blurs them. Focus then
// never leaves the button, unless the click moves it on purpose (the search dialog, the
// navigation drawer). The flag is set in the capture phase on the document, before the
// button's own listeners run.
const BLURRED_ON_CLICK = ".theme-switch-button, .search-button, .primary-toggle, .secondary-toggle";
let keyboardClick = false;
document.addEventListener("click", (event) => {
  keyboardClick = event.detail === 0;
}, true);
for (const button of document.querySelectorAll(BLURRED_ON_CLICK)) {
  button.blur = function () {
    if (!keyboardClick) HTMLElement.prototype.blur.call(this);
  };
}

// The downloads list (a native <details>) closes like a menu: with Escape, which
// returns focus to its button, and when focus or a click moves elsewhere.
const downloads = document.querySelector(".handbook-downloads details");
if (downloads) {
  downloads.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && downloads.open) {
      downloads.open = false;
      downloads.querySelector("summary").focus();
    }
  });
  downloads.addEventListener("focusout", (event) => {
    if (!downloads.contains(event.relatedTarget)) downloads.open = false;
  });
  document.addEventListener("click", (event) => {
    if (!downloads.contains(event.target)) downloads.open = false;
  });
}
