// Fupan reviewer's page: open a citation's evidence in a dialog (keyboard: Enter on the [n] link, Escape closes).
// Without JavaScript the same links jump to the evidence section of the report.
(function () {
  "use strict";
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
  document.addEventListener("DOMContentLoaded", function () {
    var dialog = document.getElementById("evidence-dialog");
    if (dialog) {
      dialog.addEventListener("close", function () {
        if (dialog.returnFocus) { dialog.returnFocus.focus(); }
      });
    }
    var reject = document.getElementById("reject");
    if (reject) {
      reject.addEventListener("click", function (event) {
        var comment = document.getElementById("comment");
        if (comment && !comment.value.trim()) {
          comment.setCustomValidity(document.documentElement.lang === "en" ? "Say why you reject it." : "请填写驳回原因。");
          comment.reportValidity();
          comment.setCustomValidity("");
          event.preventDefault();
        }
      });
    }
  });
})();
