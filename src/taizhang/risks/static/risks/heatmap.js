// The heat map: likelihood × impact, each cell coloured by its level and linked to the risks it counts.
document.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("heatmap-data");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.textContent);
  var labels = document.getElementById("heatmap-labels").dataset;  // no inline script: CSP
  var colours = { red: "#e35d5d", orange: "#f0a050", yellow: "#f3d35b", blue: "#6fa8dc" };
  var chart = echarts.init(document.getElementById("chart-heatmap"));
  chart.setOption({
    tooltip: {
      formatter: function (p) {
        return labels.likelihood + " " + data.likelihood[p.value[1]] + " · " + labels.impact + " " +
          data.impact[p.value[0]] + "：" + p.value[2] + " " + labels.count;
      },
    },
    grid: { left: 90, right: 10, top: 10, bottom: 60 },
    xAxis: { type: "category", data: data.impact, name: labels.impact, nameLocation: "middle", nameGap: 40 },
    yAxis: { type: "category", data: data.likelihood, name: labels.likelihood },
    series: [{
      type: "heatmap",
      data: data.cells.map(function (c) {
        return { value: [c[0], c[1], c[2]], itemStyle: { color: colours[c[3]] }, link: c[4] };
      }),
      label: { show: true, fontSize: 14, fontWeight: "bold" },
      itemStyle: { borderColor: "#fff", borderWidth: 2 },
    }],
  });
  chart.on("click", function (p) { if (p.data && p.data.link) window.location = labels.list + "?" + p.data.link; });
  window.addEventListener("resize", function () { chart.resize(); });
});
