// Fupan reviewer's page: citations in a dialog, charts (vendored ECharts), progress for anything slower
// than 300 ms, and polling of background work (drafting, knowledge indexing). No inline scripts (CSP).
// Without JavaScript every link and form still works: citations jump to their footnote, charts show their
// data tables, progress pages offer a refresh link.
(function () {
  "use strict";
  var zh = function () { return document.documentElement.lang !== "en"; };

  // --- citations -------------------------------------------------------------------------------
  function openEvidence(link) {
    var dialog = document.getElementById("evidence-dialog");
    var anchor = (link.getAttribute("href") || "").slice(1);
    var entry = anchor && document.getElementById(anchor);
    if (!dialog || !entry || typeof dialog.showModal !== "function") { return false; }
    var body = dialog.querySelector(".dialog-body");
    body.innerHTML = "";
    var copy = entry.cloneNode(true);
    copy.removeAttribute("id");
    copy.removeAttribute("tabindex");
    copy.querySelectorAll("details").forEach(function (d) { d.open = true; });
    copy.querySelectorAll("a.back").forEach(function (a) { a.remove(); });
    var wrap = document.createElement("div");
    wrap.className = "evidence-view";
    wrap.setAttribute("data-evidence-id", link.getAttribute("data-evidence-id") || "");
    while (copy.firstChild) { wrap.appendChild(copy.firstChild); }
    body.appendChild(wrap);
    dialog.returnFocus = link;
    dialog.showModal();
    dialog.querySelector("#evidence-close").focus();
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.cite");
    if (link && document.getElementById("evidence-dialog") && openEvidence(link)) {
      event.preventDefault();
    }
  });

  // --- progress for anything over 300 ms ----------------------------------------------------------
  function showBusy(text) {
    var busy = document.getElementById("busy");
    if (!busy) { return; }
    if (text) { busy.querySelector(".busy-text").textContent = text; }
    busy.hidden = false;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-busy") || event.defaultPrevented) { return; }
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () { showBusy(); }, 300);
  });
  window.addEventListener("pageshow", function () {
    var busy = document.getElementById("busy");
    if (busy) { busy.hidden = true; }
  });

  // --- a rejection needs a reason (the server refuses one without, too) ---------------------------
  function guardReject() {
    var reject = document.getElementById("reject");
    if (!reject) { return; }
    reject.addEventListener("click", function (event) {
      var comment = document.getElementById("comment");
      if (comment && !comment.value.trim()) {
        comment.setCustomValidity(zh() ? "请填写驳回原因。" : "Say why you reject it.");
        comment.reportValidity();
        comment.setCustomValidity("");
        event.preventDefault();
      }
    });
  }

  // --- polling background work --------------------------------------------------------------------
  function poll(url, every, onState) {
    var stop = false;
    function tick() {
      if (stop) { return; }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (state) {
          if (state && onState(state) === false) { stop = true; return; }
          window.setTimeout(tick, every);
        })
        .catch(function () { window.setTimeout(tick, every * 3); });
    }
    window.setTimeout(tick, every);
  }
  function watchIndex() {
    var el = document.getElementById("index-state");
    if (!el || el.getAttribute("data-state") === "done") { return; }
    poll(el.getAttribute("data-url"), 1000, function (state) {
      el.textContent = state.text;
      el.setAttribute("data-state", state.state);
      return !(state.state === "done" || state.state === "failed");
    });
  }
  function watchJob() {
    var el = document.getElementById("job");
    if (!el) { return; }
    var bar = document.getElementById("job-progress");
    var stage = el.querySelector(".job-stage");
    var heading = el.querySelector("h2");
    var started = Date.now();
    poll(el.getAttribute("data-url"), 800, function (state) {
      el.setAttribute("data-state", state.state);
      bar.value = state.progress;
      bar.textContent = state.progress + "%";
      var seconds = Math.round((Date.now() - started) / 1000);
      stage.textContent = state.stage + (state.state === "running" ? " (" + seconds + (zh() ? " 秒)" : " s)") : "");
      heading.textContent = state.stage;
      if (state.state === "done" && state.next) { window.location.assign(state.next); return false; }
      if (state.state === "failed") { window.location.reload(); return false; }
      return true;
    });
  }

  // --- charts ---------------------------------------------------------------------------------------
  var COLORS = ["#1f5fbf", "#e07b00", "#2e8540", "#8a3ffc", "#b0263d"];
  function tick(value, unit) {
    if (value === null || value === undefined) { return ""; }
    if (unit === "ratio") { return Math.round(value * 1000) / 10 + "%"; }
    var a = Math.abs(value), sign = value < 0 ? "-" : "";
    if (unit === "CNY" && zh()) {
      if (a >= 1e8) { return sign + Math.round(a / 1e6) / 100 + "亿"; }
      if (a >= 1e4) { return sign + Math.round(a / 1e3) / 10 + "万"; }
      return sign + "¥" + Math.round(a);
    }
    if (unit === "CNY") {
      if (a >= 1e6) { return sign + "¥" + Math.round(a / 1e5) / 10 + "M"; }
      if (a >= 1e3) { return sign + "¥" + Math.round(a / 100) / 10 + "K"; }
      return sign + "¥" + Math.round(a);
    }
    return String(Math.round(value * 10) / 10);
  }
  function tooltip(data) {
    return {
      trigger: "axis",
      renderMode: "richText",
      formatter: function (params) {
        var lines = [params[0].axisValueLabel];
        params.forEach(function (p) {
          var s = data.series[p.seriesIndex];
          if (s) { lines.push(s.name + ": " + s.labels[p.dataIndex]); }
        });
        return lines.join("\n");
      }
    };
  }
  function optionFor(data) {
    var unit = data.unit;
    var axis = { type: "value", axisLabel: { formatter: function (v) { return tick(v, unit); } } };
    var base = {
      color: COLORS,
      animation: false,
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, data: data.series.map(function (s) { return s.name; }) },
      tooltip: tooltip(data),
      aria: { enabled: true }
    };
    var cats = { type: "category", data: data.categories, axisLabel: { interval: 0, hideOverlap: true } };
    function bars(s, extra) {
      return Object.assign({ type: "bar", name: s.name, data: s.values, barMaxWidth: 36 }, extra || {});
    }
    if (data.kind === "funnel") {
      return Object.assign(base, {
        xAxis: Object.assign({}, axis, { max: 1 }), yAxis: Object.assign({}, cats, { inverse: true }),
        series: data.series.map(function (s) {
          return bars(s, { label: { show: true, position: "right", formatter: function (p) { return s.labels[p.dataIndex]; } } });
        })
      });
    }
    if (data.kind === "trend") {
      return Object.assign(base, {
        xAxis: cats, yAxis: axis,
        series: data.series.map(function (s, i) {
          return { type: "line", name: s.name, data: s.values, connectNulls: false, symbolSize: 7,
                   lineStyle: i ? { type: "dashed" } : {} };
        })
      });
    }
    if (data.kind === "waterfall") {
      var s = data.series[0];
      return Object.assign(base, {
        xAxis: cats, yAxis: axis,
        series: [bars(s, {
          itemStyle: { color: function (p) { return p.value < 0 ? "#b0263d" : "#2e8540"; } },
          label: { show: true, position: "top", formatter: function (p) { return s.labels[p.dataIndex]; } }
        })]
      });
    }
    if (data.kind === "pareto") {
      var first = data.series[0];
      var total = first.values.reduce(function (t, v) { return t + Math.abs(v || 0); }, 0) || 1;
      var run = 0;
      var share = first.values.map(function (v) { run += Math.abs(v || 0); return run / total; });
      return Object.assign(base, {
        xAxis: cats,
        yAxis: [axis, { type: "value", max: 1, axisLabel: { formatter: function (v) { return tick(v, "ratio"); } } }],
        series: [bars(first), { type: "line", name: zh() ? "累计占比" : "cumulative share", yAxisIndex: 1, data: share }],
        tooltip: { trigger: "axis", renderMode: "richText", formatter: function (params) {
          var i = params[0].dataIndex;
          return params[0].axisValueLabel + "\n" + first.name + ": " + first.labels[i] + "\n" +
            (zh() ? "累计占比" : "cumulative") + ": " + tick(share[i], "ratio");
        } }
      });
    }
    return Object.assign(base, { xAxis: cats, yAxis: axis, series: data.series.map(function (s) { return bars(s); }) });
  }
  function drawCharts() {
    var source = document.getElementById("chart-data");
    if (!source || typeof window.echarts === "undefined") { return; }
    var charts = JSON.parse(source.textContent || "[]");
    var drawn = [];
    charts.forEach(function (data) {
      var el = document.querySelector('.echart[data-chart="' + data.id + '"]');
      if (!el) { return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(optionFor(data));
      el.setAttribute("data-drawn", "true");
      drawn.push(chart);
    });
    window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.getElementById("evidence-dialog");
    if (dialog) {
      dialog.addEventListener("close", function () {
        if (dialog.returnFocus) { dialog.returnFocus.focus(); }
      });
    }
    guardReject();
    watchIndex();
    watchJob();
    drawCharts();
  });
})();
