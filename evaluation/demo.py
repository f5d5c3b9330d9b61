"""Démonstration de l'évaluation : chaque action de démonstration suit des indicateurs avec
des cibles ; l'année passée est entièrement saisie et validée, l'année en cours l'est pour
ses périodes écoulées (une saisie attend la validation du pilote, une autre est en
brouillon) ; un rapport de l'année en cours est remis à la formation restreinte."""

from decimal import Decimal

from django.utils import timezone

from evaluation import services
from evaluation.models import PERIODES_PAR_AN, Indicateur, RapportEvaluation, Saisie
from programmes.models import Action

# (code de l'indicateur, cible annuelle ou None)
INDICATEURS = [
    ("beneficiaires", Decimal("120")),
    ("profil_beneficiaires", None),
    ("solutions_trouvees", Decimal("30")),
    ("reiteration", Decimal("15")),
    ("duree_prise_en_charge", Decimal("60")),
    ("evolution_beneficiaires", None),
    ("difficultes", None),
]
RYTHMES = ["semestre", "trimestre", "annee"]


def _repartition(beneficiaires, territoires):
    """Une répartition plausible qui totalise le nombre de bénéficiaires."""
    tiers = beneficiaires // 3
    reste = beneficiaires - 2 * tiers
    return {
        "age": {"moins_13": tiers, "13_15": tiers, "16_17": reste, "18_25": 0, "plus_25": 0},
        "sexe": {"femmes": beneficiaires // 2, "hommes": beneficiaires - beneficiaires // 2},
        "territoire": {
            **{str(t.pk): 0 for t in territoires},
            str(territoires[0].pk): beneficiaires - tiers,
            "autre": tiers,
        },
    }


def _valeurs(indicateurs, numero, annee, territoires, rang):
    courante = annee == timezone.localdate().year
    beneficiaires = 25 + 7 * numero + 3 * rang + (5 if courante else 0)
    valeurs = {
        "beneficiaires": beneficiaires,
        "profil_beneficiaires": _repartition(beneficiaires, territoires),
        "solutions_trouvees": 5 + numero + rang,
        "reiteration": 18 - numero - (3 if courante else 0),
        "duree_prise_en_charge": 45 + 5 * numero,
        "evolution_beneficiaires": (
            "La plupart des jeunes suivis ont repris une scolarité ou une formation ; "
            "l'assiduité progresse au fil des séances."
        ),
        "difficultes": ("Mobilisation irrégulière des familles ; un intervenant absent deux mois."),
    }
    return {indicateur: valeurs[indicateur.code] for indicateur in indicateurs}


def _saisir(evaluation, auteur, annee, numero, valeurs, statut):
    saisie = services.saisie_ouvrir(evaluation, auteur=auteur, annee=annee, numero=numero)
    if saisie.statut != Saisie.Statut.BROUILLON:
        return
    services.saisie_enregistrer(
        saisie, auteur=auteur, valeurs=valeurs, soumettre=statut != Saisie.Statut.BROUILLON
    )
    if statut == Saisie.Statut.VALIDEE:
        services.saisie_valider(saisie, auteur=auteur)


def _periodes_ecoulees(rythme, aujourdhui):
    """Les périodes de l'année en cours déjà terminées (au moins la première, en cours)."""
    par_an = PERIODES_PAR_AN[rythme]
    mois_par_periode = 12 // par_an
    return max(1, (aujourdhui.month - 1) // mois_par_periode)


def charger(contexte, mot_de_passe):
    catalogue = {i.code: i for i in Indicateur.objects.filter(conseil__isnull=True)}
    conseil = contexte["conseil"]
    territoires = list(conseil.territoires.order_by("pk"))
    aujourdhui = timezone.localdate()
    actions = (
        Action.objects.filter(plan__groupe__conseil=conseil, porteur__isnull=False)
        .exclude(statut__in=[Action.Statut.PROPOSEE, Action.Statut.ABANDONNEE])
        .select_related("plan__groupe")
        .order_by("pk")
    )
    for rang, action in enumerate(actions):
        if hasattr(action, "evaluation"):
            continue
        rythme = RYTHMES[rang % len(RYTHMES)]
        evaluation = services.evaluation_parametrer(
            action,
            rythme=rythme,
            cibles={catalogue[code]: cible for code, cible in INDICATEURS},
        )
        pilote = action.plan.groupe.designations.get(date_fin__isnull=True).pilote
        indicateurs = [catalogue[code] for code, _ in INDICATEURS]
        for numero in range(1, PERIODES_PAR_AN[rythme] + 1):
            valeurs = _valeurs(indicateurs, numero, aujourdhui.year - 1, territoires, rang)
            _saisir(evaluation, pilote, aujourdhui.year - 1, numero, valeurs, Saisie.Statut.VALIDEE)
        ecoulees = _periodes_ecoulees(rythme, aujourdhui)
        for numero in range(1, ecoulees + 1):
            statut = Saisie.Statut.VALIDEE
            if numero == ecoulees and rang == 0:
                statut = Saisie.Statut.SOUMISE  # attend la validation du pilote
            elif numero == ecoulees and rang == 1:
                statut = Saisie.Statut.BROUILLON
            valeurs = _valeurs(indicateurs, numero, aujourdhui.year, territoires, rang)
            _saisir(evaluation, pilote, aujourdhui.year, numero, valeurs, statut)

    if not RapportEvaluation.objects.filter(conseil=conseil, annee=aujourdhui.year).exists():
        rapport = services.rapport_preparer(
            conseil=conseil, annee=aujourdhui.year, auteur=contexte["coordonnateur"]
        )
        services.rapport_soumettre(rapport, auteur=contexte["coordonnateur"])
