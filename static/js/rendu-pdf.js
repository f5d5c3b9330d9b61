/*
 * Coordination CLSPD : l'avancement d'un PDF long (templates/clspd/rendu_pdf.html).
 *
 * Interroge chaque seconde l'adresse de l'avancement (JSON : état, étape, progression,
 * adresse du fichier), met à jour la barre et son texte, puis montre le lien de
 * téléchargement (et y place le focus) ou le message d'échec. La zone est annoncée
 * poliment : le texte ne change qu'avec l'étape ou par paliers de 25 %, pour ne pas
 * parler à chaque seconde. Sans JavaScript, le lien « Actualiser » suffit.
 */
(function () {
  "use strict";

  var INTERVALLE = 1000;
  var ESSAIS_MAX = 30;

  var zone = document.getElementById("rendu-pdf");
  if (!zone || !window.fetch) {
    return;
  }
  var etape = document.getElementById("rendu-etape");
  var barre = document.getElementById("rendu-progression");
  var blocs = {
    avancement: document.getElementById("rendu-avancement"),
    pret: document.getElementById("rendu-pret"),
    echec: document.getElementById("rendu-echec"),
  };
  var actualiser = document.getElementById("rendu-actualiser");
  var annonce = { etape: etape.getAttribute("data-etape"), palier: palier(barre.value) };
  var erreurs = 0;

  function palier(progression) {
    return Math.floor(progression / 25);
  }

  function montrer(nom) {
    Object.keys(blocs).forEach(function (cle) {
      blocs[cle].hidden = cle !== nom;
    });
    actualiser.hidden = nom !== "avancement";
  }

  // Rend vrai quand le suivi est fini (prêt ou échec).
  function afficher(donnees) {
    if (donnees.etat === "termine") {
      var lien = document.getElementById("rendu-telecharger");
      lien.href = donnees.telecharger;
      document.getElementById("rendu-pages").textContent = donnees.pages
        ? " : " + donnees.pages + (donnees.pages > 1 ? " pages" : " page")
        : "";
      montrer("pret");
      lien.focus();
      return true;
    }
    if (donnees.etat === "echec") {
      document.getElementById("rendu-message").textContent = donnees.etape;
      document.getElementById("rendu-redemander").href = donnees.redemander;
      montrer("echec");
      return true;
    }
    barre.value = donnees.progression;
    barre.textContent = donnees.progression + " %";
    if (donnees.etape !== annonce.etape || palier(donnees.progression) !== annonce.palier) {
      annonce = { etape: donnees.etape, palier: palier(donnees.progression) };
      etape.textContent = donnees.etape + " : " + donnees.progression + " %";
    }
    return false;
  }

  function suivre() {
    fetch(zone.getAttribute("data-adresse-etat"), {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (reponse) {
        if (!reponse.ok) {
          throw new Error(String(reponse.status));
        }
        return reponse.json();
      })
      .then(function (donnees) {
        erreurs = 0;
        if (!afficher(donnees)) {
          window.setTimeout(suivre, INTERVALLE);
        }
      })
      .catch(function () {
        // Session expirée, réseau coupé : quelques essais, puis le lien « Actualiser ».
        erreurs += 1;
        if (erreurs < ESSAIS_MAX) {
          window.setTimeout(suivre, 2 * INTERVALLE);
        }
      });
  }

  window.setTimeout(suivre, INTERVALLE);
})();
