// Comportements communs, sans script en ligne (Content-Security-Policy stricte).
document.addEventListener("DOMContentLoaded", function () {
  // Confirmation des actions sensibles : <button data-confirm="Texte ?">
  document.body.addEventListener("click", function (event) {
    const target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.dataset.confirm)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
});

// Patrimoine : graphiques Chart.js dont les données sont dans un <script type="application/json">.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof window.Chart === "undefined") { return; }
  document.querySelectorAll("canvas.js-chart").forEach(function (canvas) {
    const source = document.getElementById(canvas.dataset.chartSource);
    if (!source) { return; }
    const donnees = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: donnees.labels, datasets: [{ label: donnees.titre, data: donnees.valeurs, backgroundColor: "#1d3f73" }] },
      options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
    });
  });
});
