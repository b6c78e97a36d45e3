// Jingzhun pages: charts from data attributes, and the import page's upload with progress.
(function () {
  "use strict";

  function charts() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec;
      try { spec = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      var option;
      if (spec.kind === "pie") {
        option = {
          tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
          series: [{ type: "pie", radius: ["35%", "70%"], data: spec.labels.map(function (l, i) {
            return { name: l, value: spec.values[i] }; }) }]
        };
      } else {
        option = {
          tooltip: { trigger: "axis" },
          grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
          xAxis: { type: "value", name: spec.unit || "" },
          // Long labels (a problem category) are cut on the axis; the tooltip shows them whole.
          yAxis: { type: "category", data: spec.labels, inverse: true,
            axisLabel: { formatter: function (v) { return v.length > 14 ? v.slice(0, 13) + "…" : v; } } },
          series: [{ type: "bar", data: spec.values.map(function (v, i) {
            return spec.colors ? { value: v, itemStyle: { color: spec.colors[i] } } : v; }),
            itemStyle: { color: "#b4232a" } }]
        };
      }
      chart.setOption(option);
      if (spec.links) {
        chart.on("click", function (p) { var href = spec.links[p.dataIndex]; if (href) window.location = href; });
      }
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value == null ? "" : String(value);
    if (cls) el.className = cls;
    return el;
  }

  function importForm() {
    var form = document.getElementById("import-form");
    if (!form) return;
    var i18n = JSON.parse(form.getAttribute("data-i18n"));
    var zh = document.documentElement.lang !== "en";
    var progress = document.getElementById("import-progress");
    var result = document.getElementById("import-result");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var files = document.getElementById("import-file").files;
      if (!files.length) { progress.textContent = i18n.choose; return; }
      var data = new FormData();
      for (var i = 0; i < files.length; i++) data.append("file", files[i], files[i].name);
      if (document.getElementById("import-force").checked) data.append("force", "true");
      result.innerHTML = "";
      progress.innerHTML = "";
      var bar = document.createElement("progress");
      var label = text("span", i18n.uploading);
      progress.appendChild(bar);
      progress.appendChild(label);
      document.getElementById("import-submit").disabled = true;
      fetch("/api/v1/imports", { method: "POST", body: data, credentials: "same-origin",
        headers: { "x-csrf-token": form.getAttribute("data-csrf") } })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (r) {
          if (!r.ok) { throw new Error(r.body.message + (r.body.detail ? (zh ? "：" : ": ") + r.body.detail : "")); }
          poll(r.body.id);
        })
        .catch(function (e) { label.textContent = e.message; label.className = "error"; bar.remove(); document.getElementById("import-submit").disabled = false; });

      function poll(id) {
        fetch("/api/v1/imports/" + id, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (job) {
            if (job.read && job.read.length) {
              label.textContent = i18n.reading + " " + job.read.map(function (f) { return f[0] + ": " + f[1]; }).join(" · ");
            }
            if (job.state === "running") { setTimeout(function () { poll(id); }, 400); return; }
            bar.max = 1; bar.value = 1;
            document.getElementById("import-submit").disabled = false;
            show(id, job);
          });
      }
    });

    function show(id, job) {
      var label = progress.querySelector("span");
      label.textContent = zh ? job.message : job.message_en;
      label.className = job.state === "done" ? "ok" : "error";
      label.id = job.state === "done" ? "import-done" : "import-failed";
      if (!job.errors || !job.errors.length) return;
      var wrap = document.createElement("div");
      wrap.id = "import-report";
      var h = text("h2", i18n.report + " (" + job.error_count + ")");
      wrap.appendChild(h);
      var a = text("a", i18n.download);
      a.id = "import-report-csv";
      a.href = "/api/v1/imports/" + id + "/report.csv";
      a.className = "button";
      wrap.appendChild(a);
      var scroll = document.createElement("div");
      scroll.className = "scroll";
      var table = document.createElement("table");
      var head = document.createElement("tr");
      i18n.columns.forEach(function (c) { head.appendChild(text("th", c)); });
      table.appendChild(head);
      job.errors.forEach(function (e) {
        var tr = document.createElement("tr");
        tr.appendChild(text("td", e.file));
        tr.appendChild(text("td", e.line, "num"));
        tr.appendChild(text("td", e.column));
        tr.appendChild(text("td", e.value));
        tr.appendChild(text("td", zh ? e.reason_zh : e.reason_en));
        table.appendChild(tr);
      });
      scroll.appendChild(table);
      wrap.appendChild(scroll);
      result.appendChild(wrap);
    }
  }

  // Cross-check runs: start one, follow its progress rule by rule.
  function checkForm() {
    var form = document.getElementById("check-form");
    if (!form) return;
    var i18n = JSON.parse(form.getAttribute("data-i18n"));
    var bar = document.getElementById("check-progress");
    var status = document.getElementById("check-status");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      bar.hidden = false; bar.value = 0;
      status.className = ""; status.textContent = i18n.loading;
      fetch("/api/v1/checks", { method: "POST", credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": form.getAttribute("data-csrf") },
        body: JSON.stringify({ rules: form.elements.rules.value }) })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (r) {
          if (!r.ok) { throw new Error(r.body.message + (r.body.detail ? ": " + r.body.detail : "")); }
          poll(r.body.id);
        })
        .catch(function (e) { status.textContent = e.message; status.className = "error"; button.disabled = false; });
      function poll(id) {
        fetch("/api/v1/checks/jobs/" + id, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (job) {
            if (job.total) { bar.value = Math.round(100 * job.done / job.total); }
            if (job.phase === "rule") { status.textContent = i18n.rule + " " + job.rule + " (" + job.done + "/" + job.total + ")"; }
            else if (job.phase === "saving") { status.textContent = i18n.saving; }
            if (job.state === "running") { setTimeout(function () { poll(id); }, 300); return; }
            button.disabled = false;
            if (job.state === "done") {
              bar.value = 100;
              status.id = "check-done";
              status.className = "ok";
              status.textContent = i18n.done.replace("{findings}", job.findings).replace("{new}", job.new_leads)
                .replace("{still}", job.still_open).replace("{gone}", job.gone);
            } else {
              status.className = "error";
              status.textContent = i18n.failed + (job.message ? ": " + job.message : "");
            }
          });
      }
    });
  }

  // Departmental sources: upload one file, show the result or every problem.
  function sourceForm() {
    var form = document.getElementById("source-form");
    if (!form) return;
    var out = document.getElementById("source-result");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData();
      var file = form.elements.file.files[0];
      if (!file) return;
      data.append("file", file, file.name);
      if (form.elements.force.checked) data.append("force", "true");
      out.textContent = "…";
      fetch("/api/v1/sources/" + encodeURIComponent(form.elements.kind.value), { method: "POST", body: data,
        credentials: "same-origin", headers: { "x-csrf-token": form.getAttribute("data-csrf") } })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (r) {
          if (r.ok) { out.className = "ok"; out.textContent = r.body.kind + ": " + r.body.rows; setTimeout(function () { location.reload(); }, 800); }
          else { out.className = "error"; out.textContent = r.body.message + (r.body.detail ? "\n" + r.body.detail : ""); }
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { charts(); importForm(); checkForm(); sourceForm(); });
})();
