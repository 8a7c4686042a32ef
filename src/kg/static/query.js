// The query editor: Ctrl/Cmd+Enter runs, Tab indents, the example menu fills the editor.
(function () {
  var ta = document.getElementById("query");
  var form = document.getElementById("qform");
  var sel = document.getElementById("examples");
  if (!ta || !form) return;
  ta.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); form.submit(); }
    else if (e.key === "Tab" && !e.shiftKey) {
      e.preventDefault();
      var s = ta.selectionStart, t = ta.selectionEnd;
      ta.value = ta.value.slice(0, s) + "  " + ta.value.slice(t);
      ta.selectionStart = ta.selectionEnd = s + 2;
    }
  });
  if (sel) sel.addEventListener("change", function () {
    var opt = sel.options[sel.selectedIndex];
    if (opt && opt.dataset.query) { ta.value = opt.dataset.query; ta.focus(); }
  });
})();
