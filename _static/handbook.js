// The web edition's keyboard repairs to sphinx-book-theme 1.4.0 and pydata-sphinx-theme 0.20.
//
// The theme blurs its header buttons (colour mode, search, sidebar toggles) on every
// click, to hide the focus ring after a mouse click. A keyboard press fires that click
// too, so focus fell to <body>: the reader lost their place and the colour-mode menu
// could not be reached with the arrow keys (WCAG 2.4.3, 2.4.7). :focus-visible already
// hides the ring after a mouse click, so after a keyboard press (a click with
// detail 0) the button gets its focus back, unless the click moved focus on purpose
// (the search dialog, the navigation drawer).
// It listens in the capture phase, before the button's own handlers: on wide screens
// sphinx-book-theme's primary-sidebar toggle stops the click from going any further
// (stopImmediatePropagation), so a listener on the way back up never heard it.
document.addEventListener("click", (event) => {
  if (event.detail !== 0) return;
  const button = event.target.closest(
    ".theme-switch-button, .search-button, .primary-toggle, .secondary-toggle",
  );
  if (!button) return;
  setTimeout(() => {
    const focused = document.activeElement;
    if (!focused || focused === document.body) button.focus();
  }, 0);
}, true);

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
