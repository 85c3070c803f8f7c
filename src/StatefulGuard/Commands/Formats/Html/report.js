"use strict";
// Filters by rule, severity, namespace and kind of finding. Without script the page shows everything and no filter.
(function () {
  var form = document.getElementById("filters");
  if (!form) { return; }
  var articles = Array.prototype.slice.call(document.querySelectorAll("article.sts"));
  var rows = articles.map(function (a) { return Array.prototype.slice.call(a.querySelectorAll("tr[data-kind]")); });
  var kinds = Array.prototype.slice.call(form.querySelectorAll("input[name=kind]"));
  var shown = document.getElementById("shown");

  function apply() {
    var rule = form.elements.rule.value, severity = form.elements.severity.value, ns = form.elements.namespace.value;
    var wanted = {};
    kinds.forEach(function (k) { wanted[k.value] = k.checked; });
    var visible = 0;
    articles.forEach(function (article, i) {
      var any = false;
      var inNamespace = !ns || article.getAttribute("data-ns") === ns;
      rows[i].forEach(function (row) {
        var show = inNamespace && wanted[row.getAttribute("data-kind")] === true
          && (!rule || row.getAttribute("data-rule") === rule)
          && (!severity || row.getAttribute("data-severity") === severity);
        if (row.hidden === show) { row.hidden = !show; }
        any = any || show;
      });
      if (article.hidden === any) { article.hidden = !any; }
      if (any) { visible++; }
    });
    shown.textContent = visible + " of " + articles.length + " StatefulSets with findings shown";
  }

  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { window.requestAnimationFrame(apply); });
  form.hidden = false;
  apply();
})();
