// Environment comparison: the rendered difference of one app between two clusters,
// resource by resource, computed in the page from the manifests it already lists.
(function () {
  "use strict";
  var CONTEXT = 3, MAX_CELLS = 4000000;
  var a = document.getElementById("cmp-a"), b = document.getElementById("cmp-b");
  var out = document.getElementById("cmp-out"), go = document.getElementById("cmp-go");
  if (!a || !b || !out) { return; }

  function manifests(cluster) {
    var found = {};
    document.querySelectorAll("pre[data-cluster]").forEach(function (pre) {
      if (pre.getAttribute("data-cluster") === cluster) { found[pre.getAttribute("data-key")] = pre.textContent; }
    });
    return found;
  }

  // Line diff by longest common subsequence: [[op, text]], op one of " ", "-", "+".
  function ops(x, y) {
    var n = x.length, m = y.length, i, j;
    if (n * m > MAX_CELLS) { return null; }
    var w = m + 1, l = new Uint32Array((n + 1) * w);
    for (i = n - 1; i >= 0; i--) {
      for (j = m - 1; j >= 0; j--) {
        l[i * w + j] = x[i] === y[j] ? l[(i + 1) * w + j + 1] + 1 : Math.max(l[(i + 1) * w + j], l[i * w + j + 1]);
      }
    }
    var res = [];
    i = 0; j = 0;
    while (i < n && j < m) {
      if (x[i] === y[j]) { res.push([" ", x[i]]); i++; j++; }
      else if (l[(i + 1) * w + j] >= l[i * w + j + 1]) { res.push(["-", x[i]]); i++; }
      else { res.push(["+", y[j]]); j++; }
    }
    for (; i < n; i++) { res.push(["-", x[i]]); }
    for (; j < m; j++) { res.push(["+", y[j]]); }
    return res;
  }

  // Unified hunks with CONTEXT lines around each change.
  function unified(edits) {
    var keep = new Array(edits.length), k, c, lines = [];
    for (k = 0; k < edits.length; k++) {
      if (edits[k][0] !== " ") {
        for (c = Math.max(0, k - CONTEXT); c <= Math.min(edits.length - 1, k + CONTEXT); c++) { keep[c] = true; }
      }
    }
    var oldNo = 1, newNo = 1, inHunk = false;
    for (k = 0; k < edits.length; k++) {
      var op = edits[k][0];
      if (keep[k]) {
        if (!inHunk) {
          var end = k, oc = 0, nc = 0;
          while (end < edits.length && keep[end]) {
            if (edits[end][0] !== "+") { oc++; }
            if (edits[end][0] !== "-") { nc++; }
            end++;
          }
          lines.push(["@@", "@@ -" + oldNo + "," + oc + " +" + newNo + "," + nc + " @@"]);
          inHunk = true;
        }
        lines.push([op, op + edits[k][1]]);
      } else { inHunk = false; }
      if (op !== "+") { oldNo++; }
      if (op !== "-") { newNo++; }
    }
    return lines;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function label(key) {
    // group/kind/namespace/name; "~" is the app's destination namespace, whatever each cluster calls it
    var p = key.split("/");
    var ns = p[2] === "~" ? "(app namespace)/" : p[2] ? p[2] + "/" : "";
    return p[1] + (p[0] ? "." + p[0] : "") + " " + ns + p.slice(3).join("/");
  }

  function compare() {
    var ca = a.value, cb = b.value, ma = manifests(ca), mb = manifests(cb);
    var keys = Object.keys(ma).concat(Object.keys(mb).filter(function (k) { return !(k in ma); })).sort();
    var counts = {identical: 0, differs: 0, only: 0};
    out.textContent = "";
    var list = el("div");
    keys.forEach(function (key) {
      var box = el("div", "cmp-res"), head = el("h3"), state;
      var pre = null;
      if (!(key in mb)) { state = "only in " + ca; counts.only++; }
      else if (!(key in ma)) { state = "only in " + cb; counts.only++; }
      else if (ma[key] === mb[key]) { state = "identical"; counts.identical++; }
      else {
        state = "differs"; counts.differs++;
        var edits = ops(ma[key].split("\n"), mb[key].split("\n"));
        pre = el("pre", "diff");
        if (edits === null) { pre.textContent = "(too large to compare in the page: open both manifests below)"; }
        else {
          pre.appendChild(el("span", "d-file", "--- " + ca + "\n"));
          pre.appendChild(el("span", "d-file", "+++ " + cb + "\n"));
          unified(edits).forEach(function (line) {
            var cls = line[0] === "+" ? "d-add" : line[0] === "-" ? "d-del" : line[0] === "@@" ? "d-hunk" : "";
            pre.appendChild(el("span", cls, line[1] + "\n"));
          });
        }
      }
      var word = state === "identical" ? "same" : state === "differs" ? "changed" : "note";
      head.appendChild(el("span", "status s-" + word, state));
      head.appendChild(document.createTextNode(" " + label(key)));
      box.appendChild(head);
      if (pre) { box.appendChild(pre); }
      list.appendChild(box);
    });
    var summary = el("p", "cmp-summary", ca === cb ? "Pick two different clusters." :
      ca + " → " + cb + ": " + counts.differs + " differ, " + counts.identical + " identical, " +
      counts.only + " on one side only. Secret values are masked and not compared.");
    out.appendChild(summary);
    if (ca !== cb) { out.appendChild(list); }
  }

  a.addEventListener("change", compare);
  b.addEventListener("change", compare);
  if (go) { go.addEventListener("click", compare); }
  compare();
})();
