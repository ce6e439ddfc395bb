// The cases page's charts; served as a file, as the Content-Security-Policy allows no inline script.
(function () {
  var d = JSON.parse(document.getElementById("weekly").textContent);
  var el = document.getElementById("chart");
  // Stacked bars: each series is the sum of those below it, drawn from
  // the tallest down so that each shows its own part.
  var parts = [["by peers", d.by_peers, "#7a5195"], ["from the archive", d.from_archive, "#ef5675"],
    ["by a mentor", d.by_mentor, "#0f7b6c"], ["open", d.open, "#bbbbbb"]];
  var sums = [], run = d.weeks.map(function () { return 0; });
  parts.forEach(function (p) {
    run = run.map(function (v, i) { return v + p[1][i]; });
    sums.push(run.slice());
  });
  var series = [huddleWeekSeries(d.weeks, d.labels)], data = [d.weeks];
  for (var i = parts.length - 1; i >= 0; i--) {
    series.push({ label: parts[i][0], stroke: parts[i][2], fill: parts[i][2], paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } });
    data.push(sums[i]);
  }
  new uPlot({
    width: Math.max(280, el.clientWidth), height: 220,
    scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(3, max * 1.15)]; } } },
    series: series, axes: [huddleWeekAxis(el, d.weeks, d.labels), {}], padding: [12, 28, 0, 0]
  }, data, el);
  el.dataset.values = parts.map(function (p) { return p[1].join(","); }).join("|");

  var load = document.getElementById("load");
  new uPlot({
    width: Math.max(280, load.clientWidth), height: 200,
    scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(3, max * 1.15)]; } } },
    series: [huddleWeekSeries(d.weeks, d.labels),
      { label: "went to a mentor", stroke: "#0f7b6c", width: 2 },
      { label: "answered", stroke: "#ef5675", width: 2, dash: [6, 4] }],
    axes: [huddleWeekAxis(load, d.weeks, d.labels), {}], padding: [12, 28, 0, 0]
  }, [d.weeks, d.assigned, d.answered], load);
  load.dataset.values = d.assigned.join(",") + "|" + d.answered.join(",");
})();
