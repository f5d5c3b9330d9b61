"""La table des permissions, à la manière de pretix : chaque URL du projet, pour chaque
persona, avec le statut attendu.

Règle : ce qui n'est pas permis répond 404 (jamais 403), pour ne rien révéler ; une
personne non connectée est renvoyée vers la page de connexion, sauf sur les pages de
compte publiques. Une URL ajoutée au projet sans être ajoutée à cette table fait échouer
``test_chaque_url_du_projet_est_dans_la_table``.
"""

import copy
import dataclasses
import datetime
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.views import redirect_to_login
from django.core import mail
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clspd import services as conseil_services
from clspd.models import (
    Conseil,
    ConseilPermission,
    Institution,
    MembreFormationRestreinte,
    Programme,
    RenduPDF,
    Territoire,
    Utilisateur,
)
from evaluation import services as evaluation_services
from evaluation.models import (
    CommentaireRapport,
    EvaluationAction,
    Indicateur,
    IndicateurSuivi,
    RapportEvaluation,
    Saisie,
    Valeur,
)
from groupes import services as groupe_services
from groupes.models import (
    AcceptationCharte,
    ActionSuivi,
    Appartenance,
    Charte,
    CompteRendu,
    Convocation,
    Decision,
    DesignationPilote,
    GroupeOperationnel,
    GroupePermission,
    JetonCalendrier,
    JournalAcces,
    NoteSuivi,
    ParticipantExterieur,
    PointOrdreDuJour,
    Presence,
    Reunion,
    Situation,
)
from groupes.services import groupe_synchroniser_permissions
from groupes.views.reunions import document_du_compte_rendu
from programmes import services as programme_services
from programmes.models import (
    Action,
    Financement,
    LieuSensible,
    Mesure,
    PeriodeSensible,
    PlanAction,
    Proposition,
)
from tests.conftest import ajouter_membre, creer_personas, donnees_du_module
from tests.factories import (
    InstitutionFactory,
    PointFactory,
    ReunionFactory,
    TerritoireFactory,
    UtilisateurFactory,
    programme,
)

CONNECTEES = (
    "etranger",
    "membre",
    "pilote",
    "coordonnateur",
    "formation_restreinte",
    "autre_conseil",
)
PERSONAS = ("anonyme", *CONNECTEES)

# Des tests demandent leurs fixtures de base par getfixturevalue : ce marqueur les range
# avec les autres tests de base de données, avant les tests du navigateur qui la vident.
pytestmark = pytest.mark.django_db


class VersConnexion:
    """Redirection vers la page de connexion du projet, avec ``next`` = la page demandée."""

    def __repr__(self):
        return "VersConnexion"


VERS_CONNEXION = VersConnexion()


@dataclasses.dataclass(frozen=True)
class Redirige:
    """Redirection vers une adresse exacte (ou calculée à partir des objets du monde)."""

    vers: str | Callable[[SimpleNamespace], str]

    def adresse(self, objets):
        return self.vers(objets) if callable(self.vers) else self.vers


def reserve_a(*autorisees):
    """Page protégée : 200 pour les personas nommées, 404 pour les autres connectées."""
    return {"anonyme": VERS_CONNEXION} | {p: 200 if p in autorisees else 404 for p in CONNECTEES}


PUBLIQUE = dict.fromkeys(PERSONAS, 200)
COORDINATION = reserve_a("coordonnateur")


@dataclasses.dataclass(frozen=True)
class Route:
    attendus: dict
    kwargs: Callable[[SimpleNamespace], dict] = lambda m: {}
    # L'URL désigne un objet d'un conseil : essayée aussi avec les objets d'un autre conseil.
    du_conseil: bool = False
    # Données d'un POST qui écrirait quelque chose si la persona en avait le droit.
    ecriture: Callable[[SimpleNamespace], dict] | None = None
    # Un texte que la réponse doit contenir quand elle répond 200.
    contient: str = ""
    # Les paramètres de la requête (« ?quoi=actions&format=csv »), pour les URL qui en exigent.
    parametres: str = ""
    # Le statut d'une écriture permise : une redirection, sauf pour une page qui montre son
    # résultat sans le garder (l'archive ouverte sur motif).
    statut_ecriture: int = 302


def adresse(nom, objets):
    route = TABLE[nom]
    url = reverse(nom, kwargs=route.kwargs(objets))
    return f"{url}?{route.parametres}" if route.parametres else url


def _uid(m):
    return urlsafe_base64_encode(force_bytes(m.membre.pk))


def _aujourdhui():
    return timezone.localdate().isoformat()


def _groupe_donnees(nom):
    return lambda m: {
        "nom": nom,
        "nature": GroupeOperationnel.Nature.THEMATIQUE,
        "programme": programme().pk,
        "territoire": "",
        "description": "",
        "actif": "on",
    }


def _personne_donnees(m, **autres):
    return {
        "email": "nouvelle.personne@testville.fr",
        "first_name": "Nouvelle",
        "last_name": "Personne",
        "fonction": "",
        "institution": m.institution.pk,
        "date_debut": _aujourdhui(),
        **autres,
    }


def _conseil(m):
    return {"conseil_pk": m.conseil.pk}


def _dans(jours):
    return (timezone.localdate() + datetime.timedelta(days=jours)).isoformat()


def _gestion(prefixe, total, initiales=0):
    return {
        f"{prefixe}-TOTAL_FORMS": str(total),
        f"{prefixe}-INITIAL_FORMS": str(initiales),
        f"{prefixe}-MIN_NUM_FORMS": "0",
        f"{prefixe}-MAX_NUM_FORMS": "1000",
    }


def _objet(cle):
    return lambda m: {"pk": getattr(m, cle).pk}


def _reunion_donnees(objet, points_existants=0):
    return lambda m: {
        "objet": objet,
        "date": _dans(10),
        "heure_debut": "14:00",
        "heure_fin": "16:00",
        "lieu": "Mairie",
        "lien_visio": "",
        **_gestion("points", points_existants + 1, points_existants),
        **{f"points-{i}-titre": f"Point {i}" for i in range(points_existants + 1)},
        **{f"points-{i}-ORDER": str(i + 1) for i in range(points_existants + 1)},
    }


def _presences_donnees(m):
    membres = Appartenance.objects.filter(groupe=m.reunion_passee.groupe, date_fin__isnull=True)
    return {
        **{f"membre-{a.pk}-statut": "present" for a in membres},
        **_gestion("exterieurs", 1),
        "exterieurs-0-nom": "Personne extérieure",
        "exterieurs-0-institution": "Association",
    }


PILOTAGE = reserve_a("pilote", "coordonnateur")
LECTURE_DU_GROUPE = reserve_a("membre", "pilote", "coordonnateur")
# Les plans d'action se lisent aussi par la formation restreinte, qui les adopte.
LECTURE_DES_PLANS = reserve_a("membre", "pilote", "coordonnateur", "formation_restreinte")
FORMATION_RESTREINTE = reserve_a("coordonnateur", "formation_restreinte")


def _plan_donnees(titre):
    annee = timezone.localdate().year
    return lambda m: {
        "titre": titre,
        "date_debut": f"{annee}-01-01",
        "date_fin": f"{annee}-12-31",
        "statut": "en_projet",
        "adopte_le": "",
    }


def _action_donnees(titre):
    return lambda m: {
        "titre": titre,
        "programme": programme().pk,
        "porteur": m.institution.pk,
        "date_debut": _aujourdhui(),
        "statut": "proposee",
    }


def _situation_donnees(m):
    s = m.situation
    return {
        "nom": "RENOMMÉ",
        "prenom": s.prenom,
        "sexe": s.sexe,
        "date_naissance": s.date_naissance.isoformat(),
        "representants_legaux": "",
        "scolarite": s.scolarite,
        "date_debut": s.date_debut.isoformat(),
        "origines": s.origines,
        "referent": s.referent_id,
        "programme": s.programme_id,
    }


def _vers_le_rapport(m):
    return reverse("evaluation:rapport", args=[m.rapport.pk])


# Commenter et conclure se font en POST depuis la page du rapport ; un GET y ramène.
EXAMEN_DU_RAPPORT = {"anonyme": VERS_CONNEXION} | {
    p: Redirige(_vers_le_rapport) if p in ("coordonnateur", "formation_restreinte") else 404
    for p in CONNECTEES
}
SAISIE = reserve_a("membre", "pilote", "coordonnateur")


def _indicateur_donnees(nom):
    return lambda m: {
        "nom": nom,
        "famille": "realisation",
        "type": "entier",
        "unite": "",
        "definition": "",
    }


def _financement_donnees(m):
    return {"source": "fipd", "montant_demande": "1000", "montant_accorde": ""}


def _groupe(m):
    return {"pk": m.groupe.pk}


def _rendu_du_membre(m):
    """Un PDF long, déjà rendu, que le membre a demandé (le compte rendu validé de son
    groupe) : lui seul en voit l'avancement et le télécharge."""
    rendu = RenduPDF.objects.create(
        demandeur=m.membre,
        document=document_du_compte_rendu.nom_du_document,
        parametres={"pk": m.reunion_validee.pk, "version": 1},
        adresse=reverse("groupes:compte_rendu_pdf", args=[m.reunion_validee.pk, 1]),
        origine="http://testserver/",
        etat=RenduPDF.Etat.TERMINE,
        etape="Terminé",
        progression=100,
        pages_estimees=30,
        pages=1,
        contenu=b"%PDF-1.7 essai",
        nom_fichier="compte-rendu.pdf",
    )
    return {"pk": rendu.pk}


TABLE = {
    # Accueil
    "accueil": Route(reserve_a(*CONNECTEES)),
    # PDF longs : au seul demandeur, quel que soit son rôle.
    "rendu_pdf": Route(reserve_a("membre"), kwargs=_rendu_du_membre, contient="Votre PDF est prêt"),
    "rendu_pdf_etat": Route(reserve_a("membre"), kwargs=_rendu_du_membre, contient='"termine"'),
    "rendu_pdf_telecharger": Route(
        reserve_a("membre"), kwargs=_rendu_du_membre, contient="%PDF-1.7 essai"
    ),
    # Comptes
    "connexion": Route(
        {"anonyme": 200} | dict.fromkeys(CONNECTEES, Redirige("/")), contient="Connexion"
    ),
    # La déconnexion se fait en POST seulement (bouton de l'en-tête).
    "deconnexion": Route({"anonyme": VERS_CONNEXION} | dict.fromkeys(CONNECTEES, 405)),
    "mot_de_passe_modifier": Route(reserve_a(*CONNECTEES)),
    "sante": Route(PUBLIQUE, contient="ok"),
    "mon_compte": Route(reserve_a(*CONNECTEES), contient="Me déconnecter de partout"),
    # Une écriture sur soi-même seulement : le POST est testé à part (test_securite).
    "deconnexion_partout": Route({"anonyme": VERS_CONNEXION} | dict.fromkeys(CONNECTEES, 405)),
    "mes_donnees": Route(reserve_a(*CONNECTEES), contient='"adresse_electronique"'),
    "reauthentification": Route(reserve_a(*CONNECTEES), contient="Confirmer votre identité"),
    "double_authentification": Route(reserve_a(*CONNECTEES), contient="Valider le code"),
    "double_authentification_inscrire": Route(reserve_a(*CONNECTEES), contient="Clé :"),
    # Des écritures sur soi-même seulement, testées dans test_double_authentification.
    "codes_de_secours": Route({"anonyme": VERS_CONNEXION} | dict.fromkeys(CONNECTEES, 405)),
    "double_authentification_desactiver": Route(
        {"anonyme": VERS_CONNEXION} | dict.fromkeys(CONNECTEES, 405)
    ),
    "mot_de_passe_modifie": Route(reserve_a(*CONNECTEES)),
    "reinitialisation": Route(PUBLIQUE),
    "reinitialisation_envoyee": Route(PUBLIQUE),
    "reinitialisation_confirmer": Route(
        PUBLIQUE,
        kwargs=lambda m: {"uidb64": _uid(m), "token": "jeton-invalide"},
        contient="Ce lien de réinitialisation n'est plus valide",
    ),
    "reinitialisation_terminee": Route(PUBLIQUE),
    "activation": Route(
        PUBLIQUE,
        kwargs=lambda m: {"uidb64": _uid(m), "token": "jeton-invalide"},
        contient="Ce lien d'activation n'est plus valide",
    ),
    # Conseil : synthèse et formation restreinte (coordination et formation restreinte)
    "groupes:conseil": Route(
        reserve_a("coordonnateur", "formation_restreinte"), kwargs=_conseil, du_conseil=True
    ),
    "formation_restreinte": Route(
        reserve_a("coordonnateur", "formation_restreinte"), kwargs=_conseil, du_conseil=True
    ),
    "formation_restreinte_ajouter": Route(
        COORDINATION,
        kwargs=_conseil,
        du_conseil=True,
        ecriture=lambda m: _personne_donnees(m, qualite="Délégué du préfet", programme=""),
    ),
    "formation_restreinte_retirer": Route(
        COORDINATION,
        kwargs=lambda m: {"pk": m.siege.pk},
        du_conseil=True,
        ecriture=lambda m: {"date_fin": _aujourdhui()},
    ),
    # Annuaire des institutions et territoire (coordination)
    "institution_liste": Route(COORDINATION, kwargs=_conseil, du_conseil=True),
    "institution_creer": Route(
        COORDINATION,
        kwargs=_conseil,
        du_conseil=True,
        ecriture=lambda m: {"nom": "Mission locale", "categorie": Institution.Categorie.AUTRE},
    ),
    "institution_modifier": Route(
        COORDINATION,
        kwargs=lambda m: {"pk": m.institution_libre.pk},
        du_conseil=True,
        ecriture=lambda m: {"nom": "Nom détourné", "categorie": Institution.Categorie.AUTRE},
    ),
    "institution_supprimer": Route(
        COORDINATION,
        kwargs=lambda m: {"pk": m.institution_libre.pk},
        du_conseil=True,
        ecriture=lambda m: {},
    ),
    "territoire_liste": Route(COORDINATION, kwargs=_conseil, du_conseil=True),
    "territoire_creer": Route(
        COORDINATION,
        kwargs=_conseil,
        du_conseil=True,
        ecriture=lambda m: {"nom": "Quartier nouveau", "type": Territoire.Type.QUARTIER},
    ),
    "territoire_modifier": Route(
        COORDINATION,
        kwargs=lambda m: {"pk": m.territoire.pk},
        du_conseil=True,
        ecriture=lambda m: {"nom": "Territoire détourné", "type": Territoire.Type.QPV},
    ),
    # Groupes
    "groupes:creer": Route(
        COORDINATION,
        kwargs=_conseil,
        du_conseil=True,
        ecriture=_groupe_donnees("Groupe clandestin"),
    ),
    "groupes:detail": Route(
        reserve_a("membre", "pilote", "coordonnateur"), kwargs=_groupe, du_conseil=True
    ),
    "groupes:historique": Route(
        reserve_a("membre", "pilote", "coordonnateur"),
        kwargs=_groupe,
        du_conseil=True,
        contient="Historique des modifications",
    ),
    "groupes:reunion_historique": Route(
        PILOTAGE, kwargs=_objet("reunion_validee"), du_conseil=True, contient="Compte rendu"
    ),
    "groupes:modifier": Route(
        COORDINATION,
        kwargs=_groupe,
        du_conseil=True,
        ecriture=_groupe_donnees("Groupe renommé"),
    ),
    # Les pilotes ne gèrent pas les membres dans cette version.
    "groupes:membre_ajouter": Route(
        COORDINATION,
        kwargs=_groupe,
        du_conseil=True,
        ecriture=lambda m: _personne_donnees(m, role=Appartenance.Role.MEMBRE),
    ),
    "groupes:membre_retirer": Route(
        COORDINATION,
        kwargs=lambda m: {"pk": m.groupe.pk, "appartenance_pk": m.appartenance.pk},
        du_conseil=True,
        ecriture=lambda m: {"date_fin": _aujourdhui()},
    ),
    "groupes:pilote_designer": Route(
        COORDINATION,
        kwargs=_groupe,
        du_conseil=True,
        ecriture=lambda m: {
            "pilote": m.membre.pk,
            "date_designation": _aujourdhui(),
            "accord_maire_le": _aujourdhui(),
            "accord_prefet_le": _aujourdhui(),
        },
    ),
    # Réunions : le pilote et le coordonnateur écrivent, les membres lisent.
    "groupes:reunions": Route(LECTURE_DU_GROUPE, kwargs=_groupe, du_conseil=True),
    "groupes:reunion_creer": Route(
        PILOTAGE, kwargs=_groupe, du_conseil=True, ecriture=_reunion_donnees("Réunion secrète")
    ),
    "groupes:reunion_detail": Route(
        LECTURE_DU_GROUPE, kwargs=_objet("reunion"), du_conseil=True, contient="Tour de table"
    ),
    "groupes:reunion_modifier": Route(
        PILOTAGE,
        kwargs=_objet("reunion"),
        du_conseil=True,
        ecriture=_reunion_donnees("Objet détourné", points_existants=1),
    ),
    "groupes:reunion_convoquer": Route(
        PILOTAGE, kwargs=_objet("reunion"), du_conseil=True, ecriture=lambda m: {}
    ),
    "groupes:reunion_annuler": Route(
        PILOTAGE, kwargs=_objet("reunion"), du_conseil=True, ecriture=lambda m: {}
    ),
    "groupes:presences": Route(
        PILOTAGE, kwargs=_objet("reunion_passee"), du_conseil=True, ecriture=_presences_donnees
    ),
    "groupes:compte_rendu_modifier": Route(
        PILOTAGE,
        kwargs=_objet("reunion_passee"),
        du_conseil=True,
        ecriture=lambda m: {"synthese": "Synthèse détournée"},
    ),
    "groupes:compte_rendu_valider": Route(
        PILOTAGE, kwargs=_objet("reunion_passee"), du_conseil=True, ecriture=lambda m: {}
    ),
    "groupes:compte_rendu_corriger": Route(
        PILOTAGE,
        kwargs=_objet("reunion_validee"),
        du_conseil=True,
        ecriture=lambda m: {"motif_correction": "Correction détournée"},
    ),
    "groupes:compte_rendu_version": Route(
        LECTURE_DU_GROUPE,
        kwargs=lambda m: {"pk": m.reunion_validee.pk, "version": 1},
        du_conseil=True,
        contient="Synthèse validée",
    ),
    "groupes:compte_rendu_pdf": Route(
        LECTURE_DU_GROUPE,
        kwargs=lambda m: {"pk": m.reunion_validee.pk, "version": 1},
        du_conseil=True,
    ),
    "groupes:decision_ajouter": Route(
        PILOTAGE,
        kwargs=_objet("reunion_passee"),
        du_conseil=True,
        ecriture=lambda m: {
            "libelle": "Décision détournée",
            "porteur": m.membre.pk,
            "statut": "a_faire",
        },
    ),
    "groupes:decision_modifier": Route(
        PILOTAGE,
        kwargs=_objet("decision"),
        du_conseil=True,
        ecriture=lambda m: {
            "libelle": "Décision détournée",
            "porteur": m.membre.pk,
            "statut": "a_faire",
        },
    ),
    "groupes:decision_supprimer": Route(
        PILOTAGE, kwargs=_objet("decision"), du_conseil=True, ecriture=lambda m: {}
    ),
    # Le porteur de la décision (le membre) la suit, comme le pilote et le coordonnateur.
    "groupes:decision_suivre": Route(
        PILOTAGE | {"membre": 200},
        kwargs=_objet("decision_actee"),
        du_conseil=True,
        ecriture=lambda m: {"statut": "en_cours", "commentaire": "Suivi détourné"},
    ),
    "groupes:mes_decisions": Route(reserve_a(*CONNECTEES)),
    "groupes:calendrier": Route(
        reserve_a(*CONNECTEES), ecriture=lambda m: {"action": "renouveler"}
    ),
    # Le flux n'a pas de session : son adresse secrète est la seule clé (voir test dédié).
    "groupes:calendrier_flux": Route(PUBLIQUE, kwargs=lambda m: {"jeton": m.jeton}),
    # Plans d'action : le pilote et le coordonnateur écrivent ; les membres et la formation
    # restreinte lisent.
    "programmes:plans": Route(LECTURE_DES_PLANS, kwargs=_groupe, du_conseil=True),
    "programmes:plan_creer": Route(
        PILOTAGE, kwargs=_groupe, du_conseil=True, ecriture=_plan_donnees("Plan clandestin")
    ),
    "programmes:plan_detail": Route(
        LECTURE_DES_PLANS, kwargs=_objet("plan"), du_conseil=True, contient="Plan du groupe"
    ),
    "programmes:plan_historique": Route(
        LECTURE_DES_PLANS, kwargs=_objet("plan"), du_conseil=True, contient="Action du plan"
    ),
    "programmes:plan_modifier": Route(
        PILOTAGE, kwargs=_objet("plan"), du_conseil=True, ecriture=_plan_donnees("Plan renommé")
    ),
    "programmes:plan_pdf": Route(LECTURE_DES_PLANS, kwargs=_objet("plan"), du_conseil=True),
    "programmes:lieu_creer": Route(
        PILOTAGE,
        kwargs=_objet("plan"),
        du_conseil=True,
        ecriture=lambda m: {"nom": "Lieu clandestin", "territoire": m.territoire.pk},
    ),
    "programmes:lieu_modifier": Route(
        PILOTAGE,
        kwargs=_objet("lieu"),
        du_conseil=True,
        ecriture=lambda m: {"nom": "Lieu renommé", "territoire": m.territoire.pk},
    ),
    "programmes:lieu_supprimer": Route(
        PILOTAGE, kwargs=_objet("lieu"), du_conseil=True, ecriture=lambda m: {}
    ),
    "programmes:periode_ajouter": Route(
        PILOTAGE,
        kwargs=_objet("lieu"),
        du_conseil=True,
        ecriture=lambda m: {"jours": ["sam"], "heure_debut": "22:00", "heure_fin": "02:00"},
    ),
    "programmes:periode_supprimer": Route(
        PILOTAGE, kwargs=_objet("periode"), du_conseil=True, ecriture=lambda m: {}
    ),
    "programmes:mesure_ajouter": Route(
        PILOTAGE,
        kwargs=_objet("lieu"),
        du_conseil=True,
        ecriture=lambda m: {"categorie": "eclairage", "description": ""},
    ),
    "programmes:mesure_supprimer": Route(
        PILOTAGE, kwargs=_objet("mesure"), du_conseil=True, ecriture=lambda m: {}
    ),
    "programmes:action_creer": Route(
        PILOTAGE,
        kwargs=_objet("plan"),
        du_conseil=True,
        ecriture=_action_donnees("Action clandestine"),
    ),
    "programmes:action_detail": Route(
        LECTURE_DES_PLANS, kwargs=_objet("action"), du_conseil=True, contient="Action du plan"
    ),
    "programmes:action_modifier": Route(
        PILOTAGE,
        kwargs=_objet("action"),
        du_conseil=True,
        ecriture=_action_donnees("Action renommée"),
    ),
    "programmes:action_decisions": Route(
        PILOTAGE,
        kwargs=_objet("action"),
        du_conseil=True,
        ecriture=lambda m: {"decision": m.decision_actee.pk, "operation": "lier"},
    ),
    "programmes:financement_ajouter": Route(
        PILOTAGE, kwargs=_objet("action"), du_conseil=True, ecriture=_financement_donnees
    ),
    "programmes:financement_modifier": Route(
        PILOTAGE,
        kwargs=_objet("financement"),
        du_conseil=True,
        ecriture=lambda m: {"source": "caf", "montant_demande": "5", "montant_accorde": ""},
    ),
    "programmes:financement_supprimer": Route(
        PILOTAGE, kwargs=_objet("financement"), du_conseil=True, ecriture=lambda m: {}
    ),
    "programmes:action_proposer": Route(
        PILOTAGE,
        kwargs=_objet("action"),
        du_conseil=True,
        ecriture=lambda m: {"expose": "Proposition clandestine"},
    ),
    # Le conseil : synthèse, exports et propositions (coordination, formation restreinte).
    "programmes:conseil": Route(FORMATION_RESTREINTE, kwargs=_conseil, du_conseil=True),
    "programmes:export": Route(
        FORMATION_RESTREINTE,
        kwargs=_conseil,
        du_conseil=True,
        parametres="quoi=financements&format=csv",
    ),
    "programmes:propositions": Route(FORMATION_RESTREINTE, kwargs=_conseil, du_conseil=True),
    # Suivi individuel : les membres qui ont accepté la charte (ici tous, coordonnateur
    # compris) ; archives et journal au pilote et au coordonnateur. La porte de la charte
    # a ses propres tests (tests/groupes/test_views_situations.py).
    # L'acceptation (POST) est éprouvée, persona par persona, dans test_views_situations.
    "groupes:charte": Route(LECTURE_DU_GROUPE, kwargs=_groupe, du_conseil=True),
    "groupes:charte_publier": Route(
        COORDINATION,
        kwargs=_groupe,
        du_conseil=True,
        ecriture=lambda m: {
            "charte_deontologique": "Charte détournée",
            "reglement_interieur": "",
            "adoptee_le": _aujourdhui(),
        },
    ),
    "groupes:situations": Route(LECTURE_DU_GROUPE, kwargs=_groupe, du_conseil=True),
    "groupes:situation_creer": Route(
        LECTURE_DU_GROUPE,
        kwargs=_groupe,
        du_conseil=True,
        ecriture=lambda m: {**_situation_donnees(m), "nom": "NOUVEAU"},
    ),
    "groupes:situation_detail": Route(
        LECTURE_DU_GROUPE, kwargs=_objet("situation"), du_conseil=True
    ),
    "groupes:situation_modifier": Route(
        LECTURE_DU_GROUPE, kwargs=_objet("situation"), du_conseil=True, ecriture=_situation_donnees
    ),
    "groupes:situation_note": Route(
        LECTURE_DU_GROUPE,
        kwargs=_objet("situation"),
        du_conseil=True,
        ecriture=lambda m: {"texte": "Note détournée"},
    ),
    "groupes:situation_action": Route(
        LECTURE_DU_GROUPE,
        kwargs=_objet("situation"),
        du_conseil=True,
        ecriture=lambda m: {"libelle": "Action détournée", "date_debut": _aujourdhui()},
    ),
    "groupes:situation_clore": Route(
        LECTURE_DU_GROUPE,
        kwargs=_objet("situation"),
        du_conseil=True,
        ecriture=lambda m: {"date_fin": _aujourdhui(), "motif_fin": "solution"},
    ),
    "groupes:archives": Route(PILOTAGE, kwargs=_groupe, du_conseil=True),
    "groupes:archive": Route(
        PILOTAGE,
        kwargs=_objet("archive"),
        du_conseil=True,
        ecriture=lambda m: {"motif": "Contrôle détourné"},
        statut_ecriture=200,
    ),
    "groupes:journal": Route(PILOTAGE, kwargs=_groupe, du_conseil=True),
    # Évaluation : indicateurs (coordination), paramétrage (pilotage), saisies (le pilote,
    # le coordonnateur, et ici le membre, venu de l'institution porteuse de l'action).
    "evaluation:indicateurs": Route(FORMATION_RESTREINTE, kwargs=_conseil, du_conseil=True),
    "evaluation:indicateur_creer": Route(
        COORDINATION,
        kwargs=_conseil,
        du_conseil=True,
        ecriture=_indicateur_donnees("Indicateur clandestin"),
    ),
    "evaluation:indicateur_modifier": Route(
        COORDINATION,
        kwargs=_objet("indicateur_local"),
        du_conseil=True,
        ecriture=_indicateur_donnees("Indicateur renommé"),
    ),
    "evaluation:action_evaluation": Route(
        LECTURE_DES_PLANS, kwargs=_objet("action"), du_conseil=True
    ),
    "evaluation:parametrer": Route(
        PILOTAGE,
        kwargs=_objet("action"),
        du_conseil=True,
        ecriture=lambda m: {
            "rythme": "semestre",
            f"suivi_{m.beneficiaires.pk}": "on",
            f"indicateur_{m.beneficiaires.pk}": "50",
        },
    ),
    "evaluation:saisie_ouvrir": Route(
        SAISIE,
        kwargs=_objet("evaluation"),
        du_conseil=True,
        ecriture=lambda m: {"annee": str(timezone.localdate().year), "numero": "2"},
    ),
    "evaluation:mes_saisies": Route(reserve_a(*CONNECTEES)),
    "evaluation:saisie": Route(
        SAISIE,
        kwargs=_objet("saisie"),
        du_conseil=True,
        ecriture=lambda m: {f"indicateur_{m.beneficiaires.pk}": "12"},
    ),
    "evaluation:saisie_historique": Route(
        SAISIE, kwargs=_objet("saisie_soumise"), du_conseil=True, contient="Valeur"
    ),
    "evaluation:saisie_valider": Route(
        PILOTAGE, kwargs=_objet("saisie_soumise"), du_conseil=True, ecriture=lambda m: {}
    ),
    "evaluation:saisie_renvoyer": Route(
        PILOTAGE,
        kwargs=_objet("saisie_soumise"),
        du_conseil=True,
        ecriture=lambda m: {"commentaire_renvoi": "À reprendre"},
    ),
    "evaluation:rapports": Route(FORMATION_RESTREINTE, kwargs=_conseil, du_conseil=True),
    "evaluation:rapport_preparer": Route(
        COORDINATION,
        kwargs=_conseil,
        du_conseil=True,
        ecriture=lambda m: {"annee": str(timezone.localdate().year), "programme": ""},
    ),
    # La formation restreinte ne voit un rapport qu'une fois soumis.
    "evaluation:rapport": Route(FORMATION_RESTREINTE, kwargs=_objet("rapport"), du_conseil=True),
    "evaluation:rapport_historique": Route(
        FORMATION_RESTREINTE, kwargs=_objet("rapport"), du_conseil=True, contient="Création"
    ),
    "evaluation:rapport_pdf": Route(
        FORMATION_RESTREINTE, kwargs=_objet("rapport"), du_conseil=True
    ),
    "evaluation:rapport_soumettre": Route(
        COORDINATION, kwargs=_objet("rapport_prepare"), du_conseil=True, ecriture=lambda m: {}
    ),
    "evaluation:rapport_commenter": Route(
        EXAMEN_DU_RAPPORT,
        kwargs=_objet("rapport"),
        du_conseil=True,
        ecriture=lambda m: {"partie": "synthese", "texte": "Commentaire"},
    ),
    "evaluation:rapport_conclure": Route(
        EXAMEN_DU_RAPPORT,
        kwargs=_objet("rapport"),
        du_conseil=True,
        ecriture=lambda m: {"conclusions": "Conclusions"},
    ),
    "programmes:proposition_statuer": Route(
        FORMATION_RESTREINTE,
        kwargs=_objet("proposition"),
        du_conseil=True,
        ecriture=lambda m: {"decision": "retenue", "commentaire": ""},
    ),
}

ECRITURES = sorted(nom for nom, route in TABLE.items() if route.ecriture)
DU_CONSEIL = sorted(nom for nom, route in TABLE.items() if route.du_conseil)


# Le monde des tests ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def _mondes(django_db_setup, django_db_blocker):
    """Construits une fois pour le module : ce sont des centaines de cas."""
    with donnees_du_module(django_db_blocker):
        personas = creer_personas()
        yield SimpleNamespace(monde=construire_monde(personas), ailleurs=construire_ailleurs())


@pytest.fixture
def monde(_mondes, db):
    # Une copie par test : un test qui modifie un objet en mémoire ne gêne pas le suivant.
    return copy.deepcopy(_mondes.monde)


@pytest.fixture
def ailleurs(_mondes, db):
    return copy.deepcopy(_mondes.ailleurs)


def construire_monde(p):
    """Toutes les personas, et les objets du conseil que désignent les URL."""
    return SimpleNamespace(
        conseil=p.conseil,
        groupe=p.groupe,
        autre_groupe=p.autre_groupe,
        institution=p.institution,
        # Une institution que rien ne protège : sa suppression réussirait.
        institution_libre=InstitutionFactory(conseil=p.conseil, nom="Bailleur de Testville"),
        territoire=p.zsp,
        siege=MembreFormationRestreinte.objects.get(
            conseil=p.conseil, utilisateur=p.formation_restreinte
        ),
        appartenance=Appartenance.objects.actives().get(groupe=p.groupe, utilisateur=p.membre),
        membre=p.membre,
        jeton=groupe_services.jeton_calendrier_renouveler(p.membre).jeton,
        **reunions_du_groupe(p.groupe, auteur=p.coordonnateur, porteur=p.membre),
        **(objets := plans_du_groupe(p.groupe, institution=p.institution, territoire=p.zsp)),
        **evaluation_du_groupe(objets["action"], auteur=p.pilote, coordonnateur=p.coordonnateur),
        **suivi_du_groupe(
            p.groupe, pilote=p.pilote, membre=p.membre, coordonnateur=p.coordonnateur
        ),
        personas={
            "anonyme": None,
            "etranger": p.etranger,
            "membre": p.membre,
            "pilote": p.pilote,
            "coordonnateur": p.coordonnateur,
            "formation_restreinte": p.formation_restreinte,
            "autre_conseil": p.autre_conseil,
        },
    )


def construire_ailleurs():
    """Les mêmes objets, dans le conseil d'Ailleurs."""
    conseil = Conseil.objects.get(nom="CLSPD d'Ailleurs")
    autre_conseil = conseil.coordonnateurs.get()
    groupe = conseil.groupes.get()
    institution = InstitutionFactory(conseil=conseil, nom="Commissariat d'Ailleurs")
    membre = UtilisateurFactory(email="membre@ailleurs.fr")
    appartenance = ajouter_membre(groupe, membre, institution, autre_conseil)
    siege = conseil_services.formation_restreinte_ajouter(
        conseil=conseil,
        utilisateur=UtilisateurFactory(email="formation.restreinte@ailleurs.fr"),
        institution=institution,
        qualite="Procureur",
        programme=None,
        date_debut=timezone.localdate(),
    )
    return SimpleNamespace(
        conseil=conseil,
        groupe=groupe,
        institution=institution,
        institution_libre=InstitutionFactory(conseil=conseil, nom="Bailleur d'Ailleurs"),
        territoire=TerritoireFactory(conseil=conseil, nom="Centre d'Ailleurs"),
        siege=siege,
        appartenance=appartenance,
        membre=membre,
        **reunions_du_groupe(groupe, auteur=autre_conseil, porteur=membre),
        **(
            objets := plans_du_groupe(
                groupe,
                institution=institution,
                territoire=TerritoireFactory(
                    conseil=conseil, nom="ZSP d'Ailleurs", type=Territoire.Type.ZSP
                ),
            )
        ),
        **evaluation_du_groupe(objets["action"], auteur=autre_conseil, coordonnateur=autre_conseil),
        **suivi_du_groupe(groupe, pilote=autre_conseil, membre=membre, coordonnateur=autre_conseil),
    )


def suivi_du_groupe(groupe, *, pilote, membre, coordonnateur):
    """La charte, acceptée par le pilote, le membre et le coordonnateur ; une situation
    suivie et une archivée."""
    groupe_services.charte_publier(
        groupe=groupe,
        auteur=coordonnateur,
        charte_deontologique="Charte du groupe",
        reglement_interieur="",
        adoptee_le=timezone.localdate(),
    )
    for personne in {pilote, membre, coordonnateur}:
        groupe_services.charte_accepter(groupe=groupe, utilisateur=personne)
    aujourdhui = timezone.localdate()

    def situation(nom):
        return groupe_services.situation_creer(
            groupe=groupe,
            auteur=pilote,
            nom=nom,
            prenom="Alex",
            sexe="F",
            date_naissance=aujourdhui.replace(year=aujourdhui.year - 15),
            scolarite="scolarise",
            date_debut=aujourdhui - datetime.timedelta(days=30),
            origines=["etablissement"],
            programme=programme(),
            referent=membre,
        )

    archive = situation("ARCHIVÉ")
    groupe_services.situation_clore(
        archive, auteur=pilote, date_fin=aujourdhui, motif_fin="solution"
    )
    return {"situation": situation("SUIVI"), "archive": archive}


def evaluation_du_groupe(action, *, auteur, coordonnateur):
    """L'évaluation de l'action (bénéficiaires suivis, rythme semestriel), une saisie en
    brouillon et une soumise ; un indicateur local ; un rapport préparé et un soumis."""
    conseil = action.plan.groupe.conseil
    beneficiaires = Indicateur.objects.get(conseil=None, code="beneficiaires")
    evaluation = evaluation_services.evaluation_parametrer(
        action, rythme="semestre", cibles={beneficiaires: None}
    )
    annee = timezone.localdate().year
    soumise = evaluation_services.saisie_ouvrir(evaluation, auteur=auteur, annee=annee - 1)
    evaluation_services.saisie_enregistrer(
        soumise, auteur=auteur, valeurs={beneficiaires: "10"}, soumettre=True
    )
    rapport = evaluation_services.rapport_preparer(
        conseil=conseil, annee=annee, auteur=coordonnateur
    )
    evaluation_services.rapport_soumettre(rapport, auteur=coordonnateur)
    return {
        "beneficiaires": beneficiaires,
        "evaluation": evaluation,
        "saisie": evaluation_services.saisie_ouvrir(evaluation, auteur=auteur, annee=annee),
        "saisie_soumise": soumise,
        "indicateur_local": evaluation_services.indicateur_local_creer(
            conseil=conseil,
            nom="Indicateur local",
            famille="realisation",
            type="entier",
            unite="",
            definition="",
        ),
        "rapport": rapport,
        "rapport_prepare": evaluation_services.rapport_preparer(
            conseil=conseil, annee=annee - 1, auteur=coordonnateur
        ),
    }


def plans_du_groupe(groupe, *, institution, territoire):
    """Le plan du groupe (qui devient une CCOP de tranquillité publique), un lieu sensible,
    sa période, sa mesure, une action financée et une proposition en attente."""
    # Une CCOP de tranquillité publique : elle a un schéma de tranquillité (pour les lieux
    # sensibles) et un suivi individuel (pour les situations).
    groupe_services.groupe_modifier(
        groupe,
        nature=GroupeOperationnel.Nature.CCOP,
        territoire=territoire,
        programme=programme(Programme.Axe.TRANQUILLITE),
    )
    annee = timezone.localdate().year
    plan = programme_services.plan_creer(
        groupe=groupe,
        titre="Plan du groupe",
        date_debut=datetime.date(annee, 1, 1),
        date_fin=datetime.date(annee, 12, 31),
    )
    lieu = programme_services.lieu_sensible_creer(plan=plan, territoire=territoire, nom="Gare")
    action = programme_services.action_creer(
        plan=plan,
        titre="Action du plan",
        programme=programme(),
        porteur=institution,
        date_debut=timezone.localdate(),
    )
    proposee = programme_services.action_creer(
        plan=plan,
        titre="Action proposée",
        programme=programme(),
        porteur=institution,
        date_debut=timezone.localdate(),
    )
    return {
        "plan": plan,
        "lieu": lieu,
        "periode": programme_services.periode_ajouter(
            lieu=lieu, heure_debut=datetime.time(22), heure_fin=datetime.time(2)
        ),
        "mesure": programme_services.mesure_ajouter(lieu=lieu, categorie="mediation"),
        "action": action,
        "financement": programme_services.financement_ajouter(
            action=action, source="fipd", montant_demande=Decimal("1000")
        ),
        "proposition": programme_services.action_proposer(
            proposee, auteur=groupe.appartenances.first().utilisateur
        ),
    }


def reunions_du_groupe(groupe, *, auteur, porteur):
    """Une réunion à venir, une passée au compte rendu en brouillon, une au compte rendu
    validé ; une décision dans chacun des deux comptes rendus."""
    a_venir = groupe_services.reunion_planifier(
        groupe=groupe,
        auteur=auteur,
        objet="Réunion à venir",
        date=timezone.localdate() + datetime.timedelta(days=7),
        heure_debut=datetime.time(14),
        heure_fin=datetime.time(16),
        lieu="Mairie",
        points=[{"titre": "Tour de table"}],
    )
    passee = ReunionFactory(groupe=groupe, cree_par=auteur, date=timezone.localdate())
    PointFactory(reunion=passee, ordre=1)
    groupe_services.compte_rendu_enregistrer(passee, auteur=auteur, synthese="Brouillon", notes={})
    decision = groupe_services.decision_ajouter(
        passee, auteur=auteur, libelle="Décision en brouillon", porteur=porteur
    )
    validee = ReunionFactory(
        groupe=groupe, cree_par=auteur, date=timezone.localdate() - datetime.timedelta(days=5)
    )
    PointFactory(reunion=validee, ordre=1)
    groupe_services.compte_rendu_enregistrer(
        validee, auteur=auteur, synthese="Synthèse validée", notes={}
    )
    decision_actee = groupe_services.decision_ajouter(
        validee, auteur=auteur, libelle="Décision actée", porteur=porteur
    )
    groupe_services.compte_rendu_valider(validee, auteur=auteur)
    return {
        "reunion": a_venir,
        "reunion_passee": passee,
        "decision": decision,
        "reunion_validee": validee,
        "decision_actee": decision_actee,
    }


def connecter(client, utilisateur):
    if utilisateur is not None:
        client.force_login(utilisateur)


def etat_de_la_base():
    """Ce qu'une écriture interdite ne doit pas changer."""
    return {
        "groupes": list(GroupeOperationnel.objects.order_by("pk").values_list()),
        "appartenances": list(Appartenance.objects.order_by("pk").values_list()),
        "designations": list(DesignationPilote.objects.order_by("pk").values_list()),
        "institutions": list(Institution.objects.order_by("pk").values_list()),
        "territoires": list(Territoire.objects.order_by("pk").values_list()),
        "sieges": list(MembreFormationRestreinte.objects.order_by("pk").values_list()),
        "utilisateurs": list(Utilisateur.objects.order_by("pk").values_list("pk", "email")),
        **{
            modele._meta.model_name: list(modele.objects.order_by("pk").values_list())
            for modele in (
                Charte,
                AcceptationCharte,
                Situation,
                NoteSuivi,
                ActionSuivi,
                JournalAcces,
                Indicateur,
                EvaluationAction,
                IndicateurSuivi,
                Saisie,
                Valeur,
                RapportEvaluation,
                RapportEvaluation.saisies.through,
                CommentaireRapport,
                PlanAction,
                LieuSensible,
                PeriodeSensible,
                Mesure,
                Action,
                Action.partenaires.through,
                Action.decisions.through,
                Financement,
                Proposition,
                Reunion,
                PointOrdreDuJour,
                Convocation,
                Presence,
                ParticipantExterieur,
                CompteRendu,
                Decision,
                JetonCalendrier,
            )
        },
        "permissions_groupes": GroupePermission.objects.count(),
        "permissions_conseils": ConseilPermission.objects.count(),
    }


def verifier(reponse, attendu, url, objets):
    if attendu is VERS_CONNEXION:
        assert reponse.status_code == 302
        assert reponse["Location"] == redirect_to_login(url)["Location"]
    elif isinstance(attendu, Redirige):
        assert reponse.status_code == 302
        assert reponse["Location"] == attendu.adresse(objets)
    else:
        assert reponse.status_code == attendu


# La table couvre toutes les URL ------------------------------------------------------------


def noms_des_urls(motifs=None, espace=""):
    """Les noms complets (« groupes:detail ») de toutes les URL ; "" pour une URL sans nom."""
    for motif in get_resolver().url_patterns if motifs is None else motifs:
        if isinstance(motif, URLResolver):
            prefixe = f"{espace}{motif.namespace}:" if motif.namespace else espace
            yield from noms_des_urls(motif.url_patterns, prefixe)
        else:
            yield f"{espace}{motif.name}" if motif.name else espace


def urls_du_projet():
    return {nom for nom in noms_des_urls() if not nom.startswith("admin:")}


def test_chaque_url_du_projet_est_dans_la_table():
    absentes = urls_du_projet() - set(TABLE)
    assert not absentes, f"URL sans ligne dans la table des permissions : {sorted(absentes)}"


def test_la_table_ne_cite_que_des_urls_du_projet():
    inconnues = set(TABLE) - urls_du_projet()
    assert not inconnues, f"La table cite des URL qui n'existent pas : {sorted(inconnues)}"


def test_chaque_url_du_projet_a_un_nom():
    assert "" not in urls_du_projet(), "Une URL sans nom échappe à la table des permissions."


def test_noms_des_urls_parcourt_les_espaces_de_noms():
    noms = set(noms_des_urls())
    assert {"accueil", "groupes:detail", "institution_modifier", "admin:index"} <= noms


def test_chaque_ligne_donne_un_statut_a_chaque_persona():
    for nom, route in TABLE.items():
        assert set(route.attendus) == set(PERSONAS), nom


def test_aucune_ligne_ne_repond_403():
    assert all(403 not in route.attendus.values() for route in TABLE.values())


# GET : le statut de chaque persona sur chaque URL --------------------------------------------

CAS_GET = [(nom, persona) for nom in sorted(TABLE) for persona in PERSONAS]


@pytest.mark.parametrize(("nom", "persona"), CAS_GET, ids=[f"{n}-{p}" for n, p in CAS_GET])
def test_get(client, monde, nom, persona):
    route = TABLE[nom]
    url = adresse(nom, monde)
    connecter(client, monde.personas[persona])

    reponse = client.get(url)

    attendu = route.attendus[persona]
    verifier(reponse, attendu, url, monde)
    if attendu == 200 and route.contient:
        assert route.contient in reponse.content.decode()


# POST : une écriture interdite répond comme le GET et n'écrit rien ---------------------------


def permis(attendu):
    """La persona a accès : la page (200), ou la redirection d'une URL qui ne s'affiche pas
    (ses formulaires sont sur une autre page)."""
    return attendu == 200 or isinstance(attendu, Redirige)


CAS_POST = [
    (nom, persona)
    for nom in ECRITURES
    for persona in PERSONAS
    if not permis(TABLE[nom].attendus[persona])
]


@pytest.mark.parametrize(("nom", "persona"), CAS_POST, ids=[f"{n}-{p}" for n, p in CAS_POST])
def test_post_interdit_n_ecrit_rien(client, monde, nom, persona):
    route = TABLE[nom]
    url = adresse(nom, monde)
    connecter(client, monde.personas[persona])
    avant = etat_de_la_base()

    reponse = client.post(url, route.ecriture(monde))

    verifier(reponse, route.attendus[persona], url, monde)
    assert etat_de_la_base() == avant
    assert mail.outbox == []


@pytest.mark.parametrize("nom", ECRITURES)
def test_post_du_coordonnateur_ecrit(client, monde, nom):
    """Témoin : les mêmes données, envoyées par le coordonnateur, écrivent bien quelque
    chose (sans quoi le test précédent ne prouverait rien)."""
    route = TABLE[nom]
    client.force_login(monde.personas["coordonnateur"])
    avant = etat_de_la_base()

    reponse = client.post(adresse(nom, monde), route.ecriture(monde))

    assert reponse.status_code == route.statut_ecriture
    assert etat_de_la_base() != avant


# Les objets d'un autre conseil ------------------------------------------------------------


@pytest.mark.parametrize("nom", DU_CONSEIL)
def test_objets_d_un_autre_conseil_introuvables_pour_le_coordonnateur(client, monde, ailleurs, nom):
    route = TABLE[nom]
    url = adresse(nom, ailleurs)
    client.force_login(monde.personas["coordonnateur"])
    avant = etat_de_la_base()

    assert client.get(url).status_code == 404
    if route.ecriture:
        assert client.post(url, route.ecriture(ailleurs)).status_code == 404
        assert etat_de_la_base() == avant


def test_retirer_l_appartenance_d_un_autre_groupe_par_l_url_du_groupe(client, monde):
    """L'appartenance doit être une appartenance active du groupe de l'URL."""
    appartenance = Appartenance.objects.get(groupe=monde.autre_groupe)
    client.force_login(monde.personas["coordonnateur"])
    url = reverse(
        "groupes:membre_retirer", kwargs={"pk": monde.groupe.pk, "appartenance_pk": appartenance.pk}
    )

    assert client.get(url).status_code == 404
    assert client.post(url, {"date_fin": _aujourdhui()}).status_code == 404
    assert Appartenance.objects.get(pk=appartenance.pk).date_fin is None


def test_retirer_une_appartenance_terminee(client, monde):
    monde.appartenance.date_fin = timezone.localdate() - datetime.timedelta(days=1)
    monde.appartenance.save()
    client.force_login(monde.personas["coordonnateur"])
    url = reverse("groupes:membre_retirer", kwargs=TABLE["groupes:membre_retirer"].kwargs(monde))

    assert client.get(url).status_code == 404


def test_retirer_un_siege_deja_termine(client, monde):
    monde.siege.date_fin = timezone.localdate()
    monde.siege.save()
    client.force_login(monde.personas["coordonnateur"])

    reponse = client.get(reverse("formation_restreinte_retirer", kwargs={"pk": monde.siege.pk}))

    assert reponse.status_code == 404


def test_un_ancien_membre_ne_voit_plus_le_groupe(client, monde):
    monde.appartenance.date_fin = timezone.localdate()
    monde.appartenance.save()
    groupe_synchroniser_permissions(monde.groupe)
    client.force_login(monde.membre)

    assert client.get(reverse("groupes:detail", args=[monde.groupe.pk])).status_code == 404


# Administration technique -----------------------------------------------------------------


@pytest.fixture
def superutilisateur(db):
    return Utilisateur.objects.create_superuser(email="admin@clspd.fr", password="x" * 20)


@pytest.mark.parametrize("persona", CONNECTEES)
def test_admin_refuse_aux_personas(client, monde, persona):
    client.force_login(monde.personas[persona])

    reponse = client.get("/admin/")

    assert reponse.status_code == 302
    assert reponse["Location"] == "/admin/login/?next=/admin/"


def test_admin_refuse_au_personnel_non_superutilisateur(client, db):
    client.force_login(UtilisateurFactory(is_staff=True))

    reponse = client.get("/admin/")

    assert reponse.status_code == 302
    assert reponse["Location"] == "/admin/login/?next=/admin/"


def test_admin_anonyme_renvoye_a_la_connexion(client, db):
    reponse = client.get("/admin/")

    assert reponse.status_code == 302
    assert reponse["Location"] == "/admin/login/?next=/admin/"


def test_admin_ouvert_au_superutilisateur(client, superutilisateur):
    client.force_login(superutilisateur)

    assert client.get("/admin/").status_code == 200


def test_admin_page_de_connexion_publique(client, db):
    assert client.get("/admin/login/").status_code == 200


def test_le_superutilisateur_n_atteint_pas_le_suivi_individuel(client, monde, superutilisateur):
    """Ni par l'administration (rien du suivi n'y est enregistré), ni par l'application :
    un superutilisateur n'a aucun droit implicite sur un groupe."""
    from django.contrib import admin

    for modele in (Charte, AcceptationCharte, Situation, NoteSuivi, ActionSuivi, JournalAcces):
        assert not admin.site.is_registered(modele), modele
    client.force_login(superutilisateur)
    avant = JournalAcces.objects.count()

    assert client.get("/admin/groupes/situation/").status_code == 404
    assert client.get("/admin/groupes/journalacces/").status_code == 404
    for nom, objet in [
        ("situations", monde.groupe),
        ("archives", monde.groupe),
        ("journal", monde.groupe),
        ("situation_detail", monde.situation),
        ("archive", monde.archive),
    ]:
        assert client.get(reverse(f"groupes:{nom}", args=[objet.pk])).status_code == 404, nom
    assert JournalAcces.objects.count() == avant


# La double authentification garde toutes les pages ----------------------------------------

PAGES_DU_PILOTE = [nom for nom in sorted(TABLE) if TABLE[nom].attendus["pilote"] == 200]
LIBRES = {"double_authentification", "double_authentification_inscrire", "deconnexion"}


def test_sans_code_le_pilote_n_atteint_aucune_page(client, monde, settings):
    """L'obligation active, le pilote connecté par son seul mot de passe est renvoyé vers
    l'inscription depuis chaque page qu'il pourrait voir, sauf l'inscription elle-même."""
    settings.DOUBLE_AUTHENTIFICATION_OBLIGATOIRE = True
    client.force_login(monde.personas["pilote"])
    inscription = reverse("double_authentification_inscrire")
    assert len(PAGES_DU_PILOTE) > 50

    for nom in PAGES_DU_PILOTE:
        url = adresse(nom, monde)
        reponse = client.get(url)
        if nom in LIBRES:
            assert reponse.status_code == 200, nom
        else:
            assert reponse.status_code == 302, nom
            assert (
                reponse["Location"] == redirect_to_login(url, login_url=inscription)["Location"]
            ), nom


# Les méthodes HTTP -------------------------------------------------------------------------

AUTRES_METHODES = ("put", "patch", "delete", "options", "trace")


@pytest.mark.parametrize("persona", PERSONAS)
def test_seules_get_head_et_post_sont_acceptees(client, monde, persona):
    """Chaque URL, pour chaque méthode autre que GET, HEAD et POST : 405, sans rien écrire ;
    HEAD répond comme GET. (GET et POST sont éprouvés ligne par ligne ci-dessus.)"""
    connecter(client, monde.personas[persona])
    avant = etat_de_la_base()

    for nom in sorted(TABLE):
        url = adresse(nom, monde)
        for methode in AUTRES_METHODES:
            reponse = getattr(client, methode)(url)
            assert reponse.status_code == 405, (nom, methode)
            assert reponse["Allow"] == "GET, HEAD, POST"
    assert etat_de_la_base() == avant

    # HEAD est un GET sans corps : il peut, comme lui, écrire au journal des accès.
    for nom in sorted(TABLE):
        url = adresse(nom, monde)
        verifier(client.head(url), TABLE[nom].attendus[persona], url, monde)
