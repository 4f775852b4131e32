/* auditor report: client-side filtering, the paged findings explorer and the two prints. No libraries.
   Filter state lives in the URL fragment (#severity=high&status=FAIL&framework=cis-aws-6.0&owner=x&q=text),
   so a filtered view can be bookmarked or sent to a colleague. #print=executive selects the
   executive print (verdicts, failing controls, exceptions, data and pipelines: a few pages) for
   the browser's Print and for headless printing. Rows are built with textContent only: data from
   the findings never becomes markup. */
(function () {
  "use strict";
  var PAGE = 100;
  var dataNode = document.getElementById("findings-data");
  var D = JSON.parse(dataNode.textContent);
  var controls = {
    severity: document.getElementById("f-severity"),
    status: document.getElementById("f-status"),
    framework: document.getElementById("f-framework"),
    owner: document.getElementById("f-owner"),
    q: document.getElementById("f-q")
  };
  var printMode = "";
  var page = 0;
  var matches = [];
  var rowText = null;

  function state() {
    return {
      severity: controls.severity.value, status: controls.status.value,
      framework: controls.framework.value, owner: controls.owner.value,
      q: controls.q.value.trim().toLowerCase()
    };
  }

  function readHash() {
    var h = window.location.hash.replace(/^#/, "");
    if (!h) { return; }
    h.split("&").forEach(function (pair) {
      var kv = pair.split("=");
      var key = decodeURIComponent(kv[0] || "");
      var val = decodeURIComponent((kv[1] || "").replace(/\+/g, " "));
      if (Object.prototype.hasOwnProperty.call(controls, key)) { controls[key].value = val; }
      if (key === "print" && (val === "executive" || val === "full")) { printMode = val; }
    });
  }

  function writeHash(s) {
    var parts = [];
    Object.keys(s).forEach(function (k) { if (s[k]) { parts.push(k + "=" + encodeURIComponent(s[k])); } });
    if (printMode) { parts.push("print=" + printMode); }
    var h = parts.length ? "#" + parts.join("&") : "";
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search + h);
    }
  }

  function sevAtLeast(rowSev, wanted) {
    /* severities are ordered critical..info; "high" means high or critical */
    return D.severities.indexOf(rowSev) <= D.severities.indexOf(wanted);
  }

  function filterGroups(s) {
    var shown = 0;
    document.querySelectorAll("[data-filter-item]").forEach(function (el) {
      var ok = true;
      if (s.severity && el.dataset.severity) { ok = sevAtLeast(el.dataset.severity, s.severity); }
      if (ok && s.status && el.dataset.statuses !== undefined) {
        ok = (" " + el.dataset.statuses + " ").indexOf(" " + s.status + " ") >= 0;
      }
      if (ok && s.framework && el.dataset.frameworks !== undefined) {
        ok = (" " + el.dataset.frameworks + " ").indexOf(" " + s.framework + " ") >= 0;
      }
      if (ok && s.owner && el.dataset.owners !== undefined) {
        ok = s.owner === "-" ? el.dataset.owners === "" : el.dataset.owners.split("|").indexOf(s.owner) >= 0;
      }
      if (ok && s.q) { ok = el.textContent.toLowerCase().indexOf(s.q) >= 0; }
      el.classList.toggle("hidden", !ok);
      if (ok && el.classList.contains("rulegroup")) { shown += 1; }
    });
    document.getElementById("groups-shown").textContent = String(shown);
  }

  function buildText() {
    rowText = D.rows.map(function (r) {
      var rule = D.rules[r[0]];
      return (rule[0] + " " + rule[1] + " " + r[3] + " " + D.regions[r[4]] + " " + r[5] + " " + D.owners[r[7]]).toLowerCase();
    });
  }

  function filterRows(s) {
    /* the lower-cased search text of 50,000 rows is built on the first text search only */
    if (s.q && rowText === null) { buildText(); }
    var st = s.status ? D.statuses.indexOf(s.status) : -1;
    var sv = s.severity ? D.severities.indexOf(s.severity) : -1;
    var fw = s.framework ? D.frameworks.indexOf(s.framework) : -1;
    var ow = s.owner === "-" ? 0 : s.owner ? D.owners.indexOf(s.owner) : -1;
    if (s.owner && s.owner !== "-" && ow < 0) { ow = -2; } /* an owner no finding has: nothing matches */
    matches = [];
    for (var i = 0; i < D.rows.length; i++) {
      var r = D.rows[i];
      if (st >= 0 && r[1] !== st) { continue; }
      if (sv >= 0 && r[2] > sv) { continue; }
      if (fw >= 0 && D.rules[r[0]][2].indexOf(fw) < 0) { continue; }
      if (ow !== -1 && r[7] !== ow) { continue; }
      if (s.q && rowText[i].indexOf(s.q) < 0) { continue; }
      matches.push(i);
    }
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    tr.appendChild(td);
    return td;
  }

  function badge(td, text, cls) {
    var span = document.createElement("span");
    span.className = "badge " + cls;
    span.textContent = text;
    td.appendChild(span);
  }

  function renderPage() {
    var body = document.getElementById("explorer-rows");
    var pages = Math.max(1, Math.ceil(matches.length / PAGE));
    if (page >= pages) { page = pages - 1; }
    var frag = document.createDocumentFragment();
    matches.slice(page * PAGE, (page + 1) * PAGE).forEach(function (i) {
      var r = D.rows[i];
      var rule = D.rules[r[0]];
      var tr = document.createElement("tr");
      var st = cell(tr, "");
      badge(st, D.statuses[r[1]], "st-" + D.statuses[r[1]]);
      if (r[6]) { badge(st, "new", "new"); }
      badge(cell(tr, ""), D.severities[r[2]], "sev-" + D.severities[r[2]]);
      var rt = cell(tr, rule[1]);
      var small = document.createElement("div");
      small.className = "small mono";
      small.textContent = rule[0];
      rt.appendChild(small);
      cell(tr, r[3], "mono");
      cell(tr, D.regions[r[4]]);
      cell(tr, D.owners[r[7]]);
      var days = cell(tr, r[8] >= 0 ? String(r[8]) : "", "num");
      if (r[9]) { badge(days, "overdue", "overdue"); }
      cell(tr, r[5]);
      frag.appendChild(tr);
    });
    body.replaceChildren(frag);
    document.getElementById("explorer-count").textContent = String(matches.length);
    document.getElementById("explorer-page").textContent = matches.length ? (page + 1) + " / " + pages : "0 / 0";
    document.getElementById("explorer-prev").disabled = page <= 0;
    document.getElementById("explorer-next").disabled = page >= pages - 1;
    document.body.dataset.explorerMatches = String(matches.length);
  }

  function apply() {
    var s = state();
    filterGroups(s);
    filterRows(s);
    page = 0;
    renderPage();
    writeHash(s);
    document.body.dataset.filtered = (s.severity || s.status || s.framework || s.owner || s.q) ? "yes" : "no";
  }

  var timer = null;
  controls.q.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(apply, 150);
  });
  ["severity", "status", "framework", "owner"].forEach(function (k) { controls[k].addEventListener("change", apply); });
  document.getElementById("f-reset").addEventListener("click", function () {
    controls.severity.value = ""; controls.status.value = ""; controls.framework.value = "";
    controls.owner.value = ""; controls.q.value = "";
    apply();
  });
  document.getElementById("explorer-prev").addEventListener("click", function () { page -= 1; renderPage(); });
  document.getElementById("explorer-next").addEventListener("click", function () { page += 1; renderPage(); });

  /* The full print shows every rule group expanded (restored afterwards); the executive print
     (body.print-exec, see report.css) shows only the summary sections, so nothing is expanded. */
  var closed = [];
  function setPrintMode(mode) {
    printMode = mode;
    document.body.classList.toggle("print-exec", mode === "executive");
  }
  window.addEventListener("beforeprint", function () {
    if (printMode === "executive") { return; }
    closed = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
  document.getElementById("print-exec").addEventListener("click", function () {
    var before = printMode;
    setPrintMode("executive");
    window.print();
    setPrintMode(before);
  });
  document.getElementById("print-full").addEventListener("click", function () {
    var before = printMode;
    setPrintMode("full");
    window.print();
    setPrintMode(before);
  });

  readHash();
  setPrintMode(printMode);
  if (printMode === "full") {  /* #print=full: a page opened to be printed whole (headless printing) */
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  }
  apply();
  document.body.dataset.ready = "yes";
  /* milliseconds from navigation start to an interactive report (read by benchmarks/report_scale.py) */
  document.body.dataset.readyMs = String(Math.round(window.performance.now()));
}());
