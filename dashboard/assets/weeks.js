// The weekly charts' x axis: one tick a week, labelled as the server wrote
// it ("30 Nov", in the dashboard's time zone), every k-th week when not
// all fit (the latest always), each label whole inside the chart and clear
// of the one before. uPlot's own time axis ticked by days or hours at some
// widths, which wrote a week's date twice, and cut its last label off at
// the edge. chart.dataset.labels keeps what was drawn, and
// chart.dataset.spans where (left-right, in CSS pixels from the chart's
// left edge), for the tests.
window.huddleWeekAxis = function (el, weeks, labels) {
  var measure = document.createElement("canvas").getContext("2d");
  measure.font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  return {
    space: 10,
    splits: function () { return weeks; },
    values: function (u, splits) {
      var left = u.bbox.left / uPlot.pxRatio, n = splits.length;
      var spans = splits.map(function (t) {
        var text = labels[weeks.indexOf(t)] || "";
        var w = measure.measureText(text).width, x = left + u.valToPos(t, "x");
        return { text: text, a: x - w / 2, b: x + w / 2 };
      });
      // Every k-th week, counted back from the latest (always labelled),
      // with the smallest k at which each label fits whole and clear.
      for (var k = 1; k <= n; k++) {
        var ok = true, end = -Infinity;
        for (var i = (n - 1) % k; i < n && ok; i += k) {
          var s = spans[i];
          ok = s.text && s.a >= 0 && s.b <= u.width && s.a >= end + 8;
          end = s.b;
        }
        if (ok) break;
      }
      var shown = [], where = [];
      var out = spans.map(function (s, i) {
        if ((n - 1 - i) % k) return "";
        shown.push(s.text);
        where.push(Math.round(s.a) + "-" + Math.round(s.b));
        return s.text;
      });
      el.dataset.labels = shown.join(",");
      el.dataset.spans = where.join(",");
      return out;
    }
  };
};

// The weekly charts' x series: the legend names a hovered week as its
// label does ("week 30 Nov"), not as a timestamp.
window.huddleWeekSeries = function (weeks, labels) {
  return {
    label: "week",
    value: function (u, t) { var i = weeks.indexOf(t); return i < 0 ? "--" : labels[i]; }
  };
};
