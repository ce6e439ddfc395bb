// The lesson page's chart; served as a file, as the Content-Security-Policy allows no inline script.
(function () {
  var bands = JSON.parse(document.getElementById("score-data").textContent);
  var el = document.getElementById("scores");
  var labels = ["0–19%", "20–39%", "40–59%", "60–79%", "80–100%"];
  var bars = uPlot.paths.bars({ size: [0.6, 60] });
  new uPlot({
    width: Math.max(280, el.clientWidth), height: 200,
    scales: { x: { time: false, range: [-0.5, 4.5] }, y: { range: function (u, min, max) { return [0, Math.max(5, max * 1.15)]; } } },
    series: [{ label: "score" , value: function (u, v) { return v == null ? "" : labels[v]; } },
             { label: "members", stroke: "#0f7b6c", fill: "rgba(15,123,108,0.5)", paths: bars, points: { show: false } }],
    axes: [{ values: function (u, vals) { return vals.map(function (v) { return labels[v] || ""; }); }, splits: function () { return [0, 1, 2, 3, 4]; } }, {}]
  }, [[0, 1, 2, 3, 4], bands], el);
  el.dataset.values = bands.join(",");
})();
