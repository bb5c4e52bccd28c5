// Graphiques du tableau de bord (Chart.js servi depuis static/vendor, données en JSON dans la page).
document.addEventListener("DOMContentLoaded", function () {
  const source = document.getElementById("donnees-graphiques");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const palette = ["#1d3f73", "#2e8b57", "#d08c2b", "#8e44ad", "#c0392b", "#7f8c8d"];
  Chart.defaults.font.family = "system-ui, sans-serif";
  Chart.defaults.locale = "fr-FR";

  const statuts = document.getElementById("graphique-statuts");
  if (statuts) {
    new Chart(statuts, {
      type: "line",
      data: {
        labels: data.statuts.mois,
        datasets: data.statuts.series.map(function (serie, i) {
          return { label: serie.libelle, data: serie.valeurs, borderColor: palette[i], backgroundColor: palette[i], tension: 0.2 };
        }),
      },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  const objectifs = document.getElementById("graphique-objectifs");
  if (objectifs) {
    new Chart(objectifs, {
      type: "bar",
      data: {
        labels: data.objectifs.epci,
        datasets: data.objectifs.series.map(function (serie, i) {
          return { label: serie.libelle, data: serie.valeurs, backgroundColor: palette[i] };
        }),
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
      },
    });
  }
});
