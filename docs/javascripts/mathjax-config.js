// MathJax settings for the formulas that pymdownx.arithmatex (generic mode)
// wraps in <span class="arithmatex">\(...\)</span> and
// <div class="arithmatex">\[...\]</div>. Loaded before MathJax itself, which
// the site ships in javascripts/mathjax/ (docs/hooks.py), so formulas render
// without network access.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // Typeset only arithmatex's elements, never code or prose.
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

// Material's instant navigation swaps pages without reloading: typeset
// each new page.
if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (MathJax.typesetPromise) {
      MathJax.startup.output.clearCache();
      MathJax.typesetClear();
      MathJax.texReset();
      MathJax.typesetPromise();
    }
  });
}
