// The cases page's chart; served as a file, as the Content-Security-Policy allows no inline script.
(function () {
  var d = JSON.parse(document.getElementById("weekly").textContent);
  var el = document.getElementById("chart");
  new uPlot({
    width: Math.max(280, el.clientWidth), height: 200,
    scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(3, max * 1.15)]; } } },
    series: [huddleWeekSeries(d.weeks, d.labels), { label: "cases", stroke: "#0f7b6c", fill: "rgba(15,123,108,0.5)", paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } }],
    axes: [huddleWeekAxis(el, d.weeks, d.labels), {}],
    padding: [12, 28, 0, 0]
  }, [d.weeks, d.counts], el);
  el.dataset.values = d.counts.join(",");
})();
