// Dashboard charts: data comes from the page (json_script), ECharts from our own static files.
document.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("dashboard-data");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.textContent);
  var labels = document.getElementById("dashboard-labels").dataset;  // no inline script: CSP
  var timeline = echarts.init(document.getElementById("chart-timeline"));
  var dueLine = data.timeline.due ? [{ xAxis: data.timeline.due, label: { formatter: labels.due } }] : [];
  timeline.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [labels.open, labels.closed] },
    grid: { left: 40, right: 20, top: 30, bottom: 30 },
    xAxis: { type: "category", data: data.timeline.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: labels.open, type: "line", data: data.timeline.open, markLine: { symbol: "none", data: dueLine } },
      { name: labels.closed, type: "line", data: data.timeline.closed },
    ],
  });
  var categories = echarts.init(document.getElementById("chart-category"));
  categories.setOption({
    tooltip: { trigger: "axis", formatter: "{b}: {c}%" },
    grid: { left: 120, right: 30, top: 10, bottom: 20 },
    xAxis: { type: "value", max: 100 },
    yAxis: { type: "category", data: data.by_category.map(function (c) { return c.name; }) },
    series: [{ type: "bar", data: data.by_category.map(function (c) { return c.rate; }), itemStyle: { color: "#9b1c1c" } }],
  });
  categories.on("click", function (params) {
    var row = data.by_category[params.dataIndex];
    if (row && row.link) window.location = labels.list + "?" + row.link;
  });
  window.addEventListener("resize", function () { timeline.resize(); categories.resize(); });
});
