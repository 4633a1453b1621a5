// sluice report: row filters and small conveniences; no network, works from file://.
(function () {
  "use strict";
  var filter = document.getElementById("row-filter");
  var differs = document.getElementById("only-differs");
  var count = document.getElementById("row-count");

  function rows() {
    var ids = filter ? (filter.getAttribute("data-filter-table") || "").split(" ") : [];
    var out = [];
    ids.forEach(function (id) {
      var table = document.getElementById(id);
      if (table) { out = out.concat(Array.prototype.slice.call(table.tBodies[0].rows)); }
    });
    return out;
  }

  function apply() {
    var words = (filter.value || "").toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0, all = rows();
    all.forEach(function (tr) {
      var text = (tr.getAttribute("data-filter-text") || tr.textContent).toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      if (differs && differs.checked && tr.getAttribute("data-differs") !== "yes") { ok = false; }
      tr.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (count) { count.textContent = shown + " of " + all.length + " rows shown"; }
  }

  if (filter) {
    filter.addEventListener("input", apply);
    if (differs) { differs.addEventListener("change", apply); }
  }

  // a link to a manifest opens it
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  // "/" focuses the page's filter (or goes to search), as in most code hosts
  document.addEventListener("keydown", function (e) {
    var tag = (e.target && e.target.tagName) || "";
    if (e.key !== "/" || tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    var box = filter || document.getElementById("q");
    if (box) { e.preventDefault(); box.focus(); }
  });
})();
