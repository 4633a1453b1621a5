// Search without a server: filters the index that search-index.js embeds (window.SLUICE_INDEX).
(function () {
  "use strict";
  var idx = window.SLUICE_INDEX, LIMIT = 200;
  var q = document.getElementById("q"), fc = document.getElementById("f-cluster");
  var fa = document.getElementById("f-app"), fk = document.getElementById("f-kind");
  var fi = document.getElementById("f-image"), out = document.getElementById("results");
  var count = document.getElementById("search-count");
  if (!idx || !out) { return; }

  function params() {
    var p = new URLSearchParams(location.search);
    if (p.get("q")) { q.value = p.get("q"); }
    if (p.get("cluster")) { fc.value = p.get("cluster"); }
    if (p.get("app")) { fa.value = p.get("app"); }
    if (p.get("kind")) { fk.value = p.get("kind"); }
    if (p.get("image")) { fi.value = p.get("image"); }
  }

  function run() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var cluster = fc.value, app = fa.value.toLowerCase(), kind = fk.value, image = fi.value.toLowerCase();
    out.textContent = "";
    if (!words.length && !cluster && !app && !kind && !image) {
      count.textContent = "Type to search " + idx.resources.length + " resources.";
      return;
    }
    var hits = 0;
    idx.resources.forEach(function (r) {
      // r: [app index, cluster index, kind index, namespace, name, anchor, image indexes]
      var appDir = idx.apps[r[0]][0], cl = idx.clusters[r[1]], k = idx.kinds[r[2]];
      if (cluster && cl !== cluster) { return; }
      if (kind && k !== kind) { return; }
      if (app && appDir.toLowerCase().indexOf(app) < 0) { return; }
      var imgs = r[6].map(function (i) { return idx.images[i]; });
      if (image && !imgs.some(function (s) { return s.toLowerCase().indexOf(image) >= 0; })) { return; }
      var text = (appDir + " " + cl + " " + k + " " + r[3] + " " + r[4] + " " + imgs.join(" ")).toLowerCase();
      if (!words.every(function (w) { return text.indexOf(w) >= 0; })) { return; }
      hits++;
      if (hits > LIMIT) { return; }
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "apps/" + idx.apps[r[0]][1] + ".html#" + r[5];
      a.textContent = k + " " + (r[3] ? r[3] + "/" : "") + r[4];
      li.appendChild(a);
      li.appendChild(document.createTextNode(" — app " + appDir + " on " + cl + (imgs.length ? " — " + imgs.join(", ") : "")));
      out.appendChild(li);
    });
    count.textContent = hits + " resource" + (hits === 1 ? "" : "s") + " found" + (hits > LIMIT ? ", first " + LIMIT + " shown" : "") + ".";
  }

  params();
  [q, fa, fi].forEach(function (e) { e.addEventListener("input", run); });
  [fc, fk].forEach(function (e) { e.addEventListener("change", run); });
  run();
})();
