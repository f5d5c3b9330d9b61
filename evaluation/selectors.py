"""Lectures de l'évaluation : qui peut saisir, les saisies, les cumuls d'indicateurs par
action, groupe, programme et conseil (calculés par la base), et le contenu d'un rapport.

Les cumuls additionnent les indicateurs entiers (bénéficiaires, solutions trouvées...) et
font la moyenne des autres (pourcentages, durées, échelles, fréquences)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clspd import permissions
from clspd.models import Programme
from clspd.permissions import Action as Acces
from evaluation.models import (
    PERIODES_PAR_AN,
    TYPES_ADDITIFS,
    TYPES_NUMERIQUES,
    CommentaireRapport,
    EvaluationAction,
    Indicateur,
    IndicateurSuivi,
    RapportEvaluation,
    Saisie,
    TypeValeur,
    Valeur,
    bornes_de_la_periode,
    libelle_periode,
)
from groupes.models import Appartenance, Decision, GroupeOperationnel, Reunion
from groupes.models.reunions import STATUTS_OUVERTS
from groupes.selectors import a_un_suivi_individuel, agregats_du_suivi_par_groupe
from programmes.models import Action, Financement

VALIDEE = Saisie.Statut.VALIDEE


# Catalogue ----------------------------------------------------------------------------------


def indicateurs_du_conseil(conseil):
    """Le catalogue de la fiche méthodologique et les indicateurs locaux du conseil."""
    return Indicateur.objects.filter(Q(conseil__isnull=True) | Q(conseil=conseil)).order_by(
        "famille", "conseil", "ordre", "nom"
    )


def indicateur_local_pour_coordination(user, pk):
    return permissions.obtenir_ou_404(
        user, Indicateur.objects.filter(conseil__isnull=False), Acces.COORDONNER, pk=pk
    )


# Qui saisit ---------------------------------------------------------------------------------


def _peut_saisir(user):
    """Le référent de l'action, ou un membre du groupe de l'institution porteuse."""
    membre_porteur = Appartenance.objects.actives().filter(
        utilisateur=user,
        groupe=OuterRef("action__plan__groupe"),
        institution=OuterRef("action__porteur"),
    )
    return Q(action__referent=user) | Q(Exists(membre_porteur))


def evaluations_saisissables(user):
    """Les actions dont l'utilisateur saisit les valeurs : le pilote et le coordonnateur du
    groupe, le référent, les membres du groupe venus de l'institution porteuse."""
    # Qui pilote un groupe le lit aussi : une seule condition, sans sous-requête.
    pilotes = sorted(permissions.groupes_permis(user, Acces.PILOTER))
    return permissions.filtrer(user, EvaluationAction.objects.all(), Acces.LIRE).filter(
        Q(action__plan__groupe__in=pilotes) | _peut_saisir(user)
    )


def evaluation_pour_saisie(user, pk):
    return get_object_or_404(
        evaluations_saisissables(user).select_related(
            "action__plan__groupe__conseil", "action__porteur"
        ),
        pk=pk,
    )


def saisie_pour_saisie(user, pk):
    return get_object_or_404(
        Saisie.objects.filter(evaluation__in=evaluations_saisissables(user)).select_related(
            "evaluation__action__plan__groupe__conseil",
            "evaluation__action__plan__groupe__programme",
            "evaluation__action__porteur",
        ),
        pk=pk,
    )


# Ce que le suivi individuel du groupe propose pour les indicateurs de ses actions.
PROPOSES_PAR_LE_SUIVI = {"beneficiaires": "suivies", "solutions_trouvees": "solutions"}


def chiffres_du_suivi(saisie, suivis):
    """Pour l'action d'un groupe jeunes ou d'une CCOP : les agrégats de son suivi individuel
    sur la période de la saisie, et les valeurs qu'ils proposent ({indicateur_id: nombre})
    aux indicateurs suivis. Un nombre masqué (« < 5 ») ne propose rien : il ne sort pas du
    groupe. Ailleurs : (None, {})."""
    groupe = saisie.evaluation.action.plan.groupe
    if not a_un_suivi_individuel(groupe):
        return None, {}
    agregats = agregats_du_suivi_par_groupe([groupe], *saisie.bornes)[groupe.pk]
    proposees = {}
    for suivi in suivis:
        cle = PROPOSES_PAR_LE_SUIVI.get(suivi.indicateur.code)
        if cle and isinstance(agregats[cle], int) and agregats[cle] > 0:
            proposees[suivi.indicateur_id] = agregats[cle]
    return agregats, proposees


def saisie_pour_pilotage(user, pk):
    return permissions.obtenir_ou_404(
        user,
        Saisie.objects.select_related("evaluation__action__plan__groupe__conseil"),
        Acces.PILOTER,
        pk=pk,
    )


def evaluation_de_l_action(action):
    return EvaluationAction.objects.filter(action=action).first()


def indicateurs_suivis(evaluation):
    return evaluation.indicateurs.select_related("indicateur").order_by(
        "indicateur__famille", "indicateur__ordre", "indicateur__nom"
    )


def saisies_de_l_evaluation(evaluation):
    return evaluation.saisies.select_related("saisie_par", "validee_par").order_by(
        "-annee", "-numero"
    )


def valeurs_de_la_saisie(saisie):
    return {v.indicateur_id: v for v in saisie.valeurs.all()}


def saisie_verrouillee(saisie):
    """La saisie figure dans un rapport remis à la formation restreinte : elle ne change plus."""
    return saisie.rapports.exclude(statut=RapportEvaluation.Statut.PREPARE).exists()


def periodes_commencees(evaluation, annee, aujourdhui):
    """Les numéros des périodes de l'année déjà commencées à ``aujourdhui`` et couvertes par
    les dates de l'action (``evaluation.action`` doit être chargée)."""
    action = evaluation.action
    numeros = []
    for numero in range(1, evaluation.periodes_par_an + 1):
        debut, fin = bornes_de_la_periode(annee, numero, evaluation.periodes_par_an)
        if debut > aujourdhui or fin < action.date_debut:
            continue
        if action.date_fin and debut > action.date_fin:
            continue
        numeros.append(numero)
    return numeros


def evaluations_a_saisir(user, annee):
    """Les évaluations que l'utilisateur saisit, avec leurs saisies de l'année
    (``saisies_de_l_annee``) : trois requêtes pour une page, quelle que soit sa taille."""
    return (
        evaluations_saisissables(user)
        .select_related("action__plan__groupe")
        .prefetch_related(
            Prefetch(
                "saisies",
                queryset=Saisie.objects.filter(annee=annee).order_by("numero"),
                to_attr="saisies_de_l_annee",
            )
        )
        .order_by("action__plan__groupe__nom", "action__titre", "pk")
    )


def saisies_a_valider(user):
    """Les saisies soumises des groupes que l'utilisateur pilote."""
    return (
        permissions.filtrer(user, Saisie.objects.all(), Acces.PILOTER)
        .filter(statut=Saisie.Statut.SOUMISE)
        .select_related("evaluation__action__plan__groupe", "saisie_par")
        .order_by("soumise_le", "pk")
    )


# Cumuls -------------------------------------------------------------------------------------


def _cumuls(valeurs, cle, champ="nombre"):
    """{(clé, indicateur): cumul}, en une requête groupée."""
    prefixe = "" if cle is None else cle
    colonnes = [c for c in (cle, "indicateur_id", "indicateur__type") if c]
    lignes = valeurs.values(*colonnes).annotate(somme=Sum(champ), moyenne=Avg(champ))
    return {
        (ligne[prefixe] if cle else None, ligne["indicateur_id"]): (
            ligne["somme"] if ligne["indicateur__type"] in TYPES_ADDITIFS else ligne["moyenne"]
        )
        for ligne in lignes
    }


def _valeurs_validees(annee, **filtres):
    return Valeur.objects.filter(
        saisie__statut=VALIDEE,
        saisie__annee=annee,
        nombre__isnull=False,
        indicateur__type__in=TYPES_NUMERIQUES,
        **filtres,
    )


def _arrondi(nombre):
    return None if nombre is None else round(float(nombre), 2)


def _taux(valeur, cible):
    """Le taux d'atteinte de la cible, en pour cent, arrondi comme on l'attend (62,5 → 63)."""
    if valeur is None or not cible:
        return None
    taux = Decimal(valeur) / Decimal(cible) * 100
    return int(taux.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def tableau_des_indicateurs(
    *, indicateurs, annee, cle, valeurs_filtre, cibles_filtre, precedent_filtre=None
):
    """Pour chaque clé (action, groupe, programme, ou None pour tout le périmètre) : chaque
    indicateur numérique avec sa valeur de l'année, celle de l'année précédente, sa cible et
    le taux d'atteinte. Trois requêtes, quelle que soit la taille.

    ``precedent_filtre`` choisit les valeurs de l'année précédente quand elles ne viennent
    pas des mêmes actions (les plans d'un groupe sont le plus souvent annuels)."""
    cle_valeur = None if cle is None else f"saisie__evaluation__{cle}"
    cle_cible = None if cle is None else f"evaluation__{cle}"
    actuel = _cumuls(_valeurs_validees(annee, **valeurs_filtre), cle_valeur)
    precedent = _cumuls(
        _valeurs_validees(annee - 1, **(precedent_filtre or valeurs_filtre)), cle_valeur
    )
    # Une cible posée sur un indicateur non chiffré (texte, répartition) ne se cumule pas.
    cibles = _cumuls(
        IndicateurSuivi.objects.filter(
            cible__isnull=False, indicateur__type__in=TYPES_NUMERIQUES, **cibles_filtre
        ),
        cle_cible,
        champ="cible",
    )
    tableau = {}
    for cle_, indicateur_id in sorted(set(actuel) | set(cibles), key=lambda c: (str(c[0]), c[1])):
        indicateur = indicateurs[indicateur_id]
        valeur, cible = actuel.get((cle_, indicateur_id)), cibles.get((cle_, indicateur_id))
        tableau.setdefault(cle_, []).append(
            {
                "nom": indicateur.nom,
                "famille": indicateur.get_famille_display(),
                "unite": indicateur.unite,
                "valeur": _arrondi(valeur),
                "precedent": _arrondi(precedent.get((cle_, indicateur_id))),
                "cible": _arrondi(cible),
                "taux": _taux(valeur, cible),
            }
        )
    return tableau


def tableau_de_l_action(action, annee):
    indicateurs = {i.pk: i for i in Indicateur.objects.filter(type__in=TYPES_NUMERIQUES)}
    return tableau_des_indicateurs(
        indicateurs=indicateurs,
        annee=annee,
        cle=None,
        valeurs_filtre={"saisie__evaluation__action": action},
        cibles_filtre={"evaluation__action": action},
    ).get(None, [])


# Rapport d'évaluation -----------------------------------------------------------------------


def _actions_de_l_annee(conseil, annee, programme):
    actions = Action.objects.filter(
        plan__groupe__conseil=conseil,
        plan__date_debut__year__lte=annee,
        plan__date_fin__year__gte=annee,
    )
    return actions.filter(plan__groupe__programme=programme) if programme else actions


def _ids_des_actions(conseil, annee, programme):
    """Les identifiants des actions de l'année, lus d'abord. En sous-requête, leurs tables
    s'ajouteraient à celles des valeurs (neuf à onze en tout) : au-delà de
    ``from_collapse_limit``, PostgreSQL ne réordonne plus les jointures et lirait les
    valeurs de tout le pays avant de garder celles du conseil."""
    return list(_actions_de_l_annee(conseil, annee, programme).values_list("pk", flat=True))


def _saisies_validees(ids_des_actions, annee):
    return Saisie.objects.filter(
        evaluation__action__in=ids_des_actions, annee=annee, statut=VALIDEE
    )


def saisies_validees(conseil, annee, programme=None):
    return _saisies_validees(_ids_des_actions(conseil, annee, programme), annee)


def _par_groupe(lignes, cle, *champs):
    return {ligne[cle]: {c: ligne[c] for c in champs} for ligne in lignes}


def contenu_du_rapport(conseil, annee, programme=None):
    """Le rapport d'une année, en données simples (ce que la préparation fige) : une
    synthèse, puis une partie par programme et par groupe. Des agrégats seulement : aucune
    personne n'y est nommée. Le nombre de requêtes ne dépend pas de la taille du conseil."""
    aujourdhui = timezone.localdate()
    groupes = GroupeOperationnel.objects.filter(conseil=conseil).select_related("programme")
    if programme:
        groupes = groupes.filter(programme=programme)
    groupes = list(groupes.order_by("programme__ordre", "programme__nom", "nom"))
    actions = _actions_de_l_annee(conseil, annee, programme)
    ids = _ids_des_actions(conseil, annee, programme)
    filtre_valeurs = {"saisie__evaluation__action__in": ids}
    # L'année précédente : les actions des plans de cette année-là, dans le même périmètre.
    filtre_precedent = {
        "saisie__evaluation__action__in": _ids_des_actions(conseil, annee - 1, programme)
    }
    filtre_cibles = {"evaluation__action__in": ids}
    indicateurs = {i.pk: i for i in Indicateur.objects.filter(type__in=TYPES_NUMERIQUES)}
    # Le suivi individuel des groupes jeunes et des CCOP n'en sort qu'en agrégats masqués.
    avec_suivi = [g for g in groupes if a_un_suivi_individuel(g)]
    suivi_individuel = (
        agregats_du_suivi_par_groupe(
            avec_suivi, datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
        )
        if avec_suivi
        else {}
    )

    reunions = _par_groupe(
        Reunion.objects.filter(
            groupe__in=groupes, date__year=annee, date__lte=aujourdhui, annulee_le__isnull=True
        )
        .values("groupe_id")
        .annotate(nombre=Count("pk")),
        "groupe_id",
        "nombre",
    )
    ouvertes = Q(statut__in=STATUTS_OUVERTS)
    decisions = _par_groupe(
        Decision.objects.actees()
        .filter(reunion__groupe__in=groupes)
        .values("reunion__groupe_id")
        .annotate(
            ouvertes=Count("pk", filter=ouvertes),
            en_retard=Count("pk", filter=ouvertes & Q(echeance__lt=aujourdhui)),
        ),
        "reunion__groupe_id",
        "ouvertes",
        "en_retard",
    )
    statuts = {}
    for ligne in actions.values("plan__groupe_id", "statut").annotate(nombre=Count("pk")):
        statuts.setdefault(ligne["plan__groupe_id"], {})[ligne["statut"]] = ligne["nombre"]
    financements = _par_groupe(
        Financement.objects.filter(action__in=ids)
        .values("action__plan__groupe_id")
        .annotate(demande=Sum("montant_demande"), accorde=Sum("montant_accorde")),
        "action__plan__groupe_id",
        "demande",
        "accorde",
    )
    attendues = {}
    for ligne in (
        EvaluationAction.objects.filter(action__in=ids)
        .values("action__plan__groupe_id", "rythme")
        .annotate(nombre=Count("pk"))
    ):
        cle = ligne["action__plan__groupe_id"]
        attendues[cle] = attendues.get(cle, 0) + ligne["nombre"] * PERIODES_PAR_AN[ligne["rythme"]]
    validees = _par_groupe(
        _saisies_validees(ids, annee)
        .values("evaluation__action__plan__groupe_id")
        .annotate(nombre=Count("pk")),
        "evaluation__action__plan__groupe_id",
        "nombre",
    )
    textes = {}
    for ligne in (
        Valeur.objects.filter(
            saisie__in=_saisies_validees(ids, annee),
            indicateur__type=TypeValeur.TEXTE,
        )
        .exclude(texte="")
        .values(
            "saisie__evaluation__action__plan__groupe_id",
            "saisie__evaluation__action__titre",
            "saisie__evaluation__rythme",
            "saisie__annee",
            "saisie__numero",
            "indicateur__nom",
            "texte",
        )
        .order_by("saisie__evaluation__action__titre", "saisie__numero", "indicateur__ordre")
    ):
        textes.setdefault(ligne["saisie__evaluation__action__plan__groupe_id"], []).append(
            {
                "action": ligne["saisie__evaluation__action__titre"],
                "periode": libelle_periode(
                    ligne["saisie__annee"],
                    ligne["saisie__numero"],
                    ligne["saisie__evaluation__rythme"],
                ),
                "indicateur": ligne["indicateur__nom"],
                "texte": ligne["texte"],
            }
        )
    tableaux = {
        cle: tableau_des_indicateurs(
            indicateurs=indicateurs,
            annee=annee,
            cle=cle,
            valeurs_filtre=filtre_valeurs,
            cibles_filtre=filtre_cibles,
            precedent_filtre=filtre_precedent,
        )
        for cle in ("action__plan__groupe_id", "action__plan__groupe__programme_id", None)
    }

    def chiffres(cle):
        finance = financements.get(cle, {})
        return {
            "reunions": reunions.get(cle, {}).get("nombre", 0),
            "decisions_ouvertes": decisions.get(cle, {}).get("ouvertes", 0),
            "decisions_en_retard": decisions.get(cle, {}).get("en_retard", 0),
            "actions_par_statut": _par_statut([statuts.get(cle, {})]),
            "financement_demande": _arrondi(finance.get("demande")) or 0,
            "financement_accorde": _arrondi(finance.get("accorde")) or 0,
            "saisies_attendues": attendues.get(cle, 0),
            "saisies_validees": validees.get(cle, {}).get("nombre", 0),
        }

    parties = {}
    for groupe in groupes:
        programme_id = groupe.programme_id
        partie = parties.setdefault(
            programme_id,
            {
                "cle": f"programme-{programme_id or 0}",
                "nom": groupe.programme.nom if groupe.programme else "Sans programme",
                "indicateurs": tableaux["action__plan__groupe__programme_id"].get(programme_id, []),
                "groupes": [],
            },
        )
        partie["groupes"].append(
            {
                "cle": f"groupe-{groupe.pk}",
                "nom": groupe.nom,
                "nature": groupe.get_nature_display(),
                **chiffres(groupe.pk),
                "indicateurs": tableaux["action__plan__groupe_id"].get(groupe.pk, []),
                "textes": textes.get(groupe.pk, []),
                "suivi_individuel": suivi_individuel.get(groupe.pk),
            }
        )
    programmes = list(parties.values())
    for partie, programme_id in zip(programmes, parties, strict=True):
        groupes_du_programme = [g for g in groupes if g.programme_id == programme_id]
        partie.update(_totaux(groupes_du_programme, statuts, chiffres))
    return {
        "conseil": conseil.nom,
        "annee": annee,
        "perimetre": programme.nom if programme else "Tout le conseil",
        "synthese": {
            "cle": "synthese",
            "groupes": len(groupes),
            **_totaux(groupes, statuts, chiffres),
            "indicateurs": tableaux[None].get(None, []),
        },
        "programmes": programmes,
    }


_COMPTES = (
    "reunions",
    "decisions_ouvertes",
    "decisions_en_retard",
    "financement_demande",
    "financement_accorde",
    "saisies_attendues",
    "saisies_validees",
)


def _par_statut(comptes):
    """[{libelle, nombre}] dans l'ordre des statuts, en additionnant les comptes donnés."""
    return [
        {"libelle": libelle, "nombre": total}
        for statut, libelle in Action.Statut.choices
        if (total := sum(c.get(statut, 0) for c in comptes))
    ]


def _totaux(groupes, statuts, chiffres):
    """Les comptes d'un programme ou du périmètre : la somme de ceux de ses groupes."""
    par_groupe = [chiffres(g.pk) for g in groupes]
    totaux = {cle: sum(c[cle] for c in par_groupe) for cle in _COMPTES}
    for cle in ("financement_demande", "financement_accorde"):
        totaux[cle] = round(totaux[cle], 2)
    totaux["actions_par_statut"] = _par_statut([statuts.get(g.pk, {}) for g in groupes])
    return totaux


def parties_du_rapport(rapport):
    """Les clés des parties qu'un commentaire peut viser."""
    contenu = rapport.contenu
    cles = {"synthese"}
    for programme in contenu["programmes"]:
        cles.add(programme["cle"])
        cles.update(groupe["cle"] for groupe in programme["groupes"])
    return cles


def rapports_du_conseil(conseil):
    return (
        conseil.rapports.select_related("programme", "prepare_par", "examine_par")
        .annotate(nb_commentaires=Count("commentaires"))
        .order_by("-annee", "-prepare_le")
    )


def programmes_des_groupes(conseil):
    """Les programmes des groupes du conseil : les périmètres possibles d'un rapport."""
    return Programme.objects.filter(groupes__conseil=conseil).distinct().order_by("ordre", "nom")


def _rapports_visibles(user, rapports, action=Acces.CONSULTER):
    """Le coordonnateur voit tous les rapports de son conseil ; la formation restreinte,
    seulement ceux qui lui ont été soumis (un rapport en préparation lui reste caché)."""
    coordonnes = permissions.filtrer(user, RapportEvaluation.objects.all(), Acces.COORDONNER)
    return permissions.filtrer(user, rapports, action).filter(
        ~Q(statut=RapportEvaluation.Statut.PREPARE) | Q(pk__in=coordonnes.values("pk"))
    )


def rapports_visibles(user, conseil):
    return _rapports_visibles(user, rapports_du_conseil(conseil))


def rapport_visible_pour(user, pk, action=Acces.CONSULTER):
    """Le rapport, si l'utilisateur peut faire l'action et le voir ; sinon 404."""
    return get_object_or_404(
        _rapports_visibles(
            user,
            RapportEvaluation.objects.select_related(
                "conseil", "programme", "prepare_par", "examine_par"
            ),
            action,
        ),
        pk=pk,
    )


def commentaires_par_partie(rapport):
    par_partie = {}
    for commentaire in (
        CommentaireRapport.objects.filter(rapport=rapport)
        .select_related("auteur")
        .order_by("cree_le", "pk")
    ):
        par_partie.setdefault(commentaire.partie, []).append(commentaire)
    return par_partie
