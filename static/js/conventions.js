// Conventions : éditeur de clauses, lignes de formulaires dynamiques, ciblage des commentaires.
// Aucun script en ligne (Content-Security-Policy stricte).
(function () {
  "use strict";

  // htmx recopie l'attribut style lors du « settle » d'un échange : la CSP stricte le refuse (et le signale).
  // Nos fragments n'ont aucun style en ligne : on ne recopie que les classes et dimensions.
  if (window.htmx) window.htmx.config.attributesToSettle = ["class", "width", "height"];

  // --- Éditeur de texte enrichi des clauses ------------------------------------------------
  // Un <div contenteditable> synchronisé avec le <textarea> caché que le serveur reçoit (et nettoie).
  // Chromium écrit <b>, <i>, <div> : le serveur ne garde que <strong>, <em>, <p> (et listes, intertitres).
  const RENOMMER = { B: "strong", I: "em", DIV: "p", H1: "h3", H2: "h3", H5: "h4", H6: "h4", SPAN: null, FONT: null };

  function htmlPropre(editeur) {
    const copie = editeur.cloneNode(true);
    copie.querySelectorAll("b, i, div, h1, h2, h5, h6, span, font").forEach(function (el) {
      const nom = RENOMMER[el.tagName];
      const remplacant = nom ? document.createElement(nom) : document.createDocumentFragment();
      while (el.firstChild) remplacant.appendChild(el.firstChild);
      el.replaceWith(remplacant);
    });
    copie.querySelectorAll("[style], [class]").forEach(function (el) {
      el.removeAttribute("style");
      el.removeAttribute("class");
    });
    return copie.innerHTML;
  }

  function initEditeur(bloc) {
    if (bloc.dataset.rteInit) return;
    bloc.dataset.rteInit = "1";
    const source = bloc.querySelector("textarea");
    const editeur = bloc.querySelector(".rte-editor");
    const barre = bloc.querySelector(".rte-toolbar");
    const legende = bloc.querySelector(".rte-fallback-label");
    if (!source || !editeur) return;
    editeur.innerHTML = source.value;
    source.classList.add("d-none");
    if (legende) legende.classList.add("d-none");
    editeur.classList.remove("d-none");
    if (barre) barre.classList.remove("d-none");
    const synchroniser = function () { source.value = htmlPropre(editeur); };
    editeur.addEventListener("input", synchroniser);
    editeur.addEventListener("blur", synchroniser);
    if (barre) {
      barre.addEventListener("mousedown", function (event) {
        // Garder la sélection dans l'éditeur pendant le clic sur un bouton.
        if (event.target.closest("[data-rte-cmd]")) event.preventDefault();
      });
      barre.addEventListener("click", function (event) {
        const bouton = event.target.closest("[data-rte-cmd]");
        if (!bouton) return;
        editeur.focus();
        const valeur = bouton.dataset.rteValue;
        document.execCommand(bouton.dataset.rteCmd, false, valeur ? "<" + valeur + ">" : null);
        synchroniser();
      });
    }
  }

  function initEditeurs(racine) {
    racine.querySelectorAll("[data-rte]").forEach(initEditeur);
  }

  // --- Lignes de formset : ajouter, ordonner, marquer à supprimer ----------------------------
  function renumeroter(conteneur) {
    let ordre = 1;
    conteneur.querySelectorAll(".formset-ligne [data-ordre]").forEach(function (champ) {
      champ.value = String(ordre++);
    });
  }

  function ajouterLigne(prefixe) {
    const modele = document.getElementById(prefixe + "-modele");
    const conteneur = document.getElementById(prefixe + "-lignes");
    const total = document.getElementById("id_" + prefixe + "-TOTAL_FORMS");
    if (!modele || !conteneur || !total) return;
    const index = parseInt(total.value, 10) || 0;
    const html = modele.innerHTML.replace(/__prefix__/g, String(index));
    const gabarit = document.createElement("template");
    gabarit.innerHTML = html.trim();
    const ligne = gabarit.content.firstElementChild;
    conteneur.appendChild(ligne);
    total.value = String(index + 1);
    initEditeurs(ligne);
    renumeroter(conteneur);
    const premier = ligne.querySelector("input:not([type=hidden]), select, textarea");
    if (premier) premier.focus();
  }

  document.addEventListener("click", function (event) {
    const ajout = event.target.closest("[data-formset-ajouter]");
    if (ajout) {
      event.preventDefault();
      ajouterLigne(ajout.dataset.formsetAjouter);
      return;
    }
    const deplacer = event.target.closest("[data-deplacer]");
    if (deplacer) {
      const ligne = deplacer.closest(".formset-ligne");
      const conteneur = ligne.parentElement;
      if (deplacer.dataset.deplacer === "haut" && ligne.previousElementSibling) {
        conteneur.insertBefore(ligne, ligne.previousElementSibling);
      } else if (deplacer.dataset.deplacer === "bas" && ligne.nextElementSibling) {
        conteneur.insertBefore(ligne.nextElementSibling, ligne);
      }
      renumeroter(conteneur);
      deplacer.focus();
      return;
    }
    const commenter = event.target.closest("[data-commenter]");
    if (commenter) {
      const choix = document.getElementById("id_cible");
      const texte = document.getElementById("id_texte");
      if (choix) choix.value = commenter.dataset.commenter;
      if (texte) {
        texte.scrollIntoView({ behavior: "smooth", block: "center" });
        texte.focus();
      }
    }
  });

  // Une ligne d'objectif ne propose que les communes de l'EPCI choisi.
  function filtrerCommunes(ligne) {
    const epci = ligne.querySelector("select[name$='-epci']");
    const communes = ligne.querySelector("select[data-communes-de]");
    if (!epci || !communes) return;
    Array.from(communes.options).forEach(function (option) {
      if (!option.value) return;
      option.hidden = Boolean(epci.value) && option.dataset.epci !== epci.value;
    });
    const choisie = communes.options[communes.selectedIndex];
    if (choisie && choisie.hidden) communes.value = "";
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-epci']")) {
      const ligne = event.target.closest(".formset-ligne");
      if (ligne) filtrerCommunes(ligne);
    }
    if (event.target.matches("[data-supprimer]")) {
      const ligne = event.target.closest(".formset-ligne");
      if (ligne) ligne.classList.toggle("formset-supprimee", event.target.checked);
    }
  });

  // Avant l'envoi, chaque éditeur recopie son contenu dans son champ.
  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll("[data-rte]").forEach(function (bloc) {
      const source = bloc.querySelector("textarea");
      const editeur = bloc.querySelector(".rte-editor");
      if (source && editeur && bloc.dataset.rteInit) source.value = htmlPropre(editeur);
    });
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    initEditeurs(document);
    document.querySelectorAll("#clauses-lignes").forEach(renumeroter);
    document.querySelectorAll("#objectifs-lignes .formset-ligne").forEach(filtrerCommunes);
  });
})();
