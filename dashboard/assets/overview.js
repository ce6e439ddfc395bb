// The overview page's chart; served as a file, as the Content-Security-Policy allows no inline script.
(function () {
  var d = JSON.parse(document.getElementById("weekly").textContent);
  var el = document.getElementById("chart");
  var width = Math.max(280, el.clientWidth);
  var plot = new uPlot({
    width: width, height: 220,
    scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(5, max * 1.15)]; } } },
    series: [huddleWeekSeries(d.weeks, d.labels), { label: "active members", stroke: "#0f7b6c", fill: "rgba(15,123,108,0.12)", width: 2, points: { show: true } }],
    axes: [huddleWeekAxis(el, d.weeks, d.labels), { label: "members" }],
    padding: [12, 28, 0, 0],
    legend: { show: true }
  }, [d.weeks, d.counts], el);
  el.dataset.values = d.counts.join(",");
  window.addEventListener("resize", function () { plot.setSize({ width: Math.max(280, el.clientWidth), height: 220 }); });
})();
