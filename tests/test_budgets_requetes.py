"""Le budget de requêtes de chaque page HTML et de chaque export du projet, à deux tailles.

Chaque URL de la table des permissions (``tests/test_permissions.py``) est demandée par
chaque persona qui peut l'afficher, sur un petit monde, puis sur le même monde agrandi :
plus de membres, de réunions, de décisions, de comptes rendus, de plans, d'actions, de
financements, d'indicateurs et de valeurs, de situations, de notes, de commentaires, de
lignes d'historique... dans le groupe et le conseil que la persona voit, et ailleurs (les
autres groupes du conseil, un autre conseil). Le nombre de requêtes SQL doit être le même
aux deux tailles (pas de requête par ligne) et au plus ``MAX_REQUETES``. Un export diffusé
est lu en entier pendant la mesure : ses requêtes comptent. Chaque export (actions ou
financements, CSV ou XLSX) est mesuré, et chaque PDF par ses deux chemins : rendu dans la
requête, et demandé en arrière-plan (``VARIANTES``).

Le petit monde est celui de la table, complété pour que chaque liste d'une persona y ait
au moins une ligne : une liste vide épargne des requêtes (la page d'un paginateur vide, le
préchargement de rien), et comparer zéro à plusieurs ne dirait rien d'une requête par ligne.

Une URL qui n'a pas de budget est dans ``EXCLUES``, avec sa raison : une URL ajoutée au
projet sans l'un ni l'autre fait échouer ``test_chaque_url_a_un_budget_ou_une_raison``.

Les mesures se font une fois pour le module (une fixture) : le monde construit, chaque page
mesurée, le monde agrandi, chaque page mesurée de nouveau ; chaque test lit ses deux
mesures. Chaque mesure se fait dans un point de sauvegarde annulé ensuite, pour que ce
qu'écrit un GET (la session, le journal des accès) ne change pas le monde des suivantes.
"""

import contextlib
import dataclasses
import datetime
import re
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from axes.models import AccessLog
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clspd import rendus
from clspd import services as conseil_services
from clspd.models import Programme
from evaluation import selectors as evaluation_selectors
from evaluation import services as evaluation_services
from evaluation.models import HORS_TERRITOIRE, SEXES, TRANCHES_AGE, Indicateur, RapportEvaluation
from groupes import services as groupe_services
from groupes.models import Decision, GroupeOperationnel, JournalAcces, Presence
from programmes import services as programme_services
from programmes.models import Action, Proposition
from tests.conftest import (
    _VARIABLE_INCONNUE,
    ajouter_membre,
    creer_personas,
    designer_pilote,
    donnees_du_module,
)
from tests.factories import (
    ConseilFactory,
    InstitutionFactory,
    PointFactory,
    ReunionFactory,
    TerritoireFactory,
    UtilisateurFactory,
    programme,
)
from tests.test_permissions import (
    TABLE,
    adresse,
    construire_ailleurs,
    construire_monde,
    plans_du_groupe,
    reunions_du_groupe,
    urls_du_projet,
)

pytestmark = pytest.mark.django_db

MAX_REQUETES = 15
# Combien d'objets de chaque sorte le monde agrandi ajoute (à chaque liste, chaque fiche).
EN_PLUS = 3

# Les URL sans budget, et pourquoi.
EXCLUES = {
    "deconnexion": "POST seulement : un GET répond 405 sans rien lire.",
    "deconnexion_partout": "POST seulement : un GET répond 405 sans rien lire.",
    "codes_de_secours": "POST seulement : un GET répond 405 sans rien lire.",
    "double_authentification_desactiver": "POST seulement : un GET répond 405 sans rien lire.",
    "evaluation:rapport_commenter": (
        "Un GET renvoie vers la page du rapport, budgétée ; un POST refusé l'affiche."
    ),
    "evaluation:rapport_conclure": (
        "Un GET renvoie vers la page du rapport, budgétée ; un POST refusé l'affiche."
    ),
}

# Les personas mesurées : chacune lit par un autre chemin de permission (membre, pilote,
# coordonnateur du conseil, formation restreinte). Une page publique, qui ne lit rien des
# groupes, l'est pour une personne anonyme et pour un membre connecté.
ROLES = ("membre", "pilote", "coordonnateur", "formation_restreinte")

# Les variantes d'une URL, au-delà de celle de la table : chaque export ; chaque PDF rendu
# dans la requête (un PDF court, et ce que lit le processus de rendu d'un long) et demandé
# en arrière-plan (un PDF long : la demande enregistrée, puis une redirection 303).
PDF_DANS_LA_REQUETE = "pdf-dans-la-requete"
PDF_EN_ARRIERE_PLAN = "pdf-en-arriere-plan"
PDF = ("evaluation:rapport_pdf", "groupes:compte_rendu_pdf", "programmes:plan_pdf")
VARIANTES = {
    "programmes:export": [
        f"quoi={quoi}&format={format_}"
        for quoi in ("actions", "financements")
        for format_ in ("csv", "xlsx")
    ],
    **{nom: [PDF_DANS_LA_REQUETE, PDF_EN_ARRIERE_PLAN] for nom in PDF},
}


def personas_de(nom):
    attendus = TABLE[nom].attendus
    if attendus["anonyme"] == 200:
        return ["anonyme", *(["membre"] if attendus["membre"] == 200 else [])]
    return [p for p in ROLES if attendus[p] == 200]


def _cas():
    for nom in sorted(set(TABLE) - set(EXCLUES)):
        for variante in VARIANTES.get(nom, [TABLE[nom].parametres]):
            for persona in personas_de(nom):
                yield nom, persona, variante


CAS = list(_cas())


# Mesurer ------------------------------------------------------------------------------------


@dataclasses.dataclass
class Mesure:
    statut: int | None = None
    requetes: list = dataclasses.field(default_factory=list)
    octets: int = 0
    redirection: str = ""
    erreur: str = ""


def _contenu(reponse):
    """Le corps entier : un export diffusé fait ses requêtes pendant sa lecture."""
    if reponse.streaming:
        return b"".join(reponse.streaming_content)
    return reponse.content


@contextlib.contextmanager
def _conditions(variante):
    """Un PDF est rendu dans la requête s'il est court, demandé en arrière-plan s'il est
    long : chaque variante impose l'un des chemins, le même aux deux tailles. Le processus
    de rendu d'arrière-plan n'est pas lancé : sa demande, enregistrée dans le point de
    sauvegarde annulé, disparaît avec lui."""
    if variante == PDF_DANS_LA_REQUETE:
        with mock.patch.object(rendus, "SEUIL_PAGES", 10**6):
            yield
    elif variante == PDF_EN_ARRIERE_PLAN:
        with (
            mock.patch.object(rendus, "SEUIL_PAGES", 0),
            override_settings(PDF_EN_ARRIERE_PLAN=True),
        ):
            yield
    else:
        yield


def _url(nom, variante, monde):
    url = adresse(nom, monde)
    if variante in (TABLE[nom].parametres, PDF_DANS_LA_REQUETE, PDF_EN_ARRIERE_PLAN):
        return url
    return f"{url.split('?')[0]}?{variante}"


def mesurer(client, utilisateur, url, variante=""):
    """Les requêtes d'un GET. Les caches du processus sont déjà chauds : le monde vient
    d'être construit par les mêmes services."""
    mesure = Mesure()
    client.cookies.clear()
    try:
        with transaction.atomic(), _conditions(variante):
            if utilisateur is not None:
                client.force_login(utilisateur)
            with CaptureQueriesContext(connection) as requetes:
                reponse = client.get(url)
                mesure.octets = len(_contenu(reponse))
            mesure.statut = reponse.status_code
            mesure.redirection = reponse.get("Location", "")
            mesure.requetes = [q["sql"] for q in requetes.captured_queries]
            transaction.set_rollback(True)
    except Exception as erreur:  # rapportée par le test de la page, pas par la fixture
        mesure.erreur = f"{type(erreur).__name__}: {erreur}"
    return mesure


def tout_mesurer(monde):
    # Un seul client : chacun charge les intergiciels, et WhiteNoise lit alors tous les
    # fichiers statiques, ce qui coûterait plus que les pages.
    client = Client()
    return {
        (nom, persona, variante): mesurer(
            client, monde.personas[persona], _url(nom, variante, monde), variante
        )
        for nom, persona, variante in CAS
    }


# Le petit monde -----------------------------------------------------------------------------

BASE_URL = "http://testserver"


def _aujourdhui():
    return timezone.localdate()


def _jours(n):
    return _aujourdhui() + datetime.timedelta(days=n)


def completer(m):
    """Le monde de la table, où chaque liste d'une persona a au moins une ligne : le pilote
    porte une décision actée ; la réunion à venir examine une situation."""
    p = SimpleNamespace(**m.personas)
    reunion = ReunionFactory(groupe=m.groupe, cree_par=p.pilote, date=_jours(-20))
    PointFactory(reunion=reunion, ordre=1)
    groupe_services.compte_rendu_enregistrer(reunion, auteur=p.pilote, synthese="", notes={})
    groupe_services.decision_ajouter(
        reunion, auteur=p.pilote, libelle="Décision du pilote", porteur=p.pilote
    )
    groupe_services.compte_rendu_valider(reunion, auteur=p.pilote)
    groupe_services.reunion_modifier(
        m.reunion, auteur=p.pilote, base_url=BASE_URL, situations=[m.situation]
    )
    return m


# Le monde agrandi ---------------------------------------------------------------------------


def agrandir(m):
    """Le même monde, plus grand : ``EN_PLUS`` objets de plus dans chaque liste que montrent
    les pages du groupe et du conseil de ``m``, et des données dans d'autres groupes et un
    autre conseil. Un objet figé (un compte rendu validé, une archive) ne grandit plus : l'URL
    désigne alors un objet semblable, plus grand ; de même pour la proposition à trancher,
    qui a des précédentes. Renvoie le monde."""
    p = SimpleNamespace(**m.personas)
    a = SimpleNamespace(
        institutions=[
            InstitutionFactory(conseil=m.conseil, nom=f"Institution en plus {i}")
            for i in range(EN_PLUS)
        ],
        territoires=[
            TerritoireFactory(conseil=m.conseil, nom=f"Quartier en plus {i}")
            for i in range(EN_PLUS)
        ],
    )
    _agrandir_le_conseil(m, p, a)
    _agrandir_le_groupe(m, p, a)
    _agrandir_le_suivi(m, p, a)
    _agrandir_les_reunions(m, p, a)
    _agrandir_les_plans(m, p, a)
    _agrandir_l_evaluation(m, p, a)
    _agrandir_ailleurs(m, p)
    return m


def _agrandir_le_conseil(m, p, a):
    for i in range(EN_PLUS):
        conseil_services.formation_restreinte_ajouter(
            conseil=m.conseil,
            utilisateur=UtilisateurFactory(),
            institution=a.institutions[i],
            qualite=f"Qualité {i}",
            programme=programme(),
            date_debut=_aujourdhui(),
        )
        evaluation_services.indicateur_local_creer(
            conseil=m.conseil,
            nom=f"Indicateur local en plus {i}",
            famille="realisation",
            type="entier",
            unite="personnes",
            definition="",
        )
        # D'autres groupes du conseil, où le membre et le pilote siègent aussi.
        groupe = groupe_services.groupe_creer(
            conseil=m.conseil,
            nom=f"Groupe en plus {i}",
            nature=GroupeOperationnel.Nature.THEMATIQUE,
            programme=programme(),
            territoire=a.territoires[i],
        )
        for personne in (p.pilote, p.membre, UtilisateurFactory()):
            ajouter_membre(groupe, personne, a.institutions[i], p.coordonnateur)
        designer_pilote(groupe, p.pilote, p.coordonnateur)
        reunions_du_groupe(groupe, auteur=p.pilote, porteur=p.membre)
        plans_du_groupe(groupe, institution=m.institution, territoire=m.territoire)
    # D'autres conseils que coordonnent le coordonnateur et où siège la formation restreinte.
    for i in range(EN_PLUS):
        conseil = ConseilFactory(nom=f"CLSPD en plus {i}")
        conseil_services.coordonnateur_ajouter(conseil=conseil, utilisateur=p.coordonnateur)
        conseil_services.formation_restreinte_ajouter(
            conseil=conseil,
            utilisateur=p.formation_restreinte,
            institution=None,
            qualite="",
            programme=None,
            date_debut=_aujourdhui(),
        )


def _agrandir_le_groupe(m, p, a):
    groupe = m.groupe
    a.membres = []
    for i in range(EN_PLUS):
        personne = UtilisateurFactory(first_name=f"Membre{i}")
        ajouter_membre(groupe, personne, a.institutions[i], p.coordonnateur)
        a.membres.append(personne)
        ancien = ajouter_membre(groupe, UtilisateurFactory(), a.institutions[i], p.coordonnateur)
        groupe_services.membre_retirer(ancien, date_fin=_aujourdhui())
        groupe_services.groupe_modifier(groupe, description=f"Description {i}")
        # Un autre pilote, puis de nouveau le pilote : deux désignations de plus.
        designer_pilote(groupe, personne, p.coordonnateur)
        designer_pilote(groupe, p.pilote, p.coordonnateur)
    # Des versions de la charte, acceptées chacune par tous.
    for i in range(EN_PLUS):
        groupe_services.charte_publier(
            groupe=groupe,
            auteur=p.coordonnateur,
            charte_deontologique=f"Charte, version {i + 2}",
            reglement_interieur="",
            adoptee_le=_aujourdhui(),
        )
        for personne in (p.pilote, p.membre, p.coordonnateur, *a.membres):
            groupe_services.charte_accepter(groupe=groupe, utilisateur=personne)
    # Les traces de connexion de chacun (« mes données »).
    AccessLog.objects.bulk_create(
        AccessLog(username=personne.email, ip_address="192.0.2.1", user_agent="Navigateur")
        for personne in (p.membre, p.pilote, p.coordonnateur, p.formation_restreinte)
        for _ in range(EN_PLUS)
    )
    # D'autres réunions du groupe (à venir, passées, validées), avec leurs décisions.
    for _ in range(EN_PLUS):
        reunions_du_groupe(groupe, auteur=p.pilote, porteur=p.membre)


def _situations(groupe, auteur, referents, nombre, prefixe):
    return [
        groupe_services.situation_creer(
            groupe=groupe,
            auteur=auteur,
            nom=f"{prefixe} {i}",
            prenom="Camille",
            sexe="M",
            date_naissance=_aujourdhui().replace(year=_aujourdhui().year - 14),
            scolarite="scolarise",
            date_debut=_jours(-20),
            origines=["famille", "etablissement"],
            programme=programme(),
            referent=referents[i % len(referents)],
        )
        for i in range(nombre)
    ]


def _dossier_rempli(situation, auteurs):
    for i in range(EN_PLUS):
        groupe_services.note_suivi_ajouter(
            situation, auteur=auteurs[i % len(auteurs)], texte=f"Note {i}"
        )
        groupe_services.action_suivi_ajouter(
            situation,
            auteur=auteurs[i % len(auteurs)],
            libelle=f"Action entreprise {i}",
            date_debut=_jours(-10 + i),
        )


def _agrandir_le_suivi(m, p, a):
    groupe = m.groupe
    referents = [p.pilote, p.membre, *a.membres]
    auteurs = [p.pilote, p.membre, p.coordonnateur]
    a.situations = _situations(groupe, p.pilote, referents, EN_PLUS, "SUIVI EN PLUS")
    _dossier_rempli(m.situation, auteurs)
    for archivee in _situations(groupe, p.pilote, referents, EN_PLUS, "ARCHIVÉ EN PLUS"):
        groupe_services.situation_clore(
            archivee, auteur=p.pilote, date_fin=_aujourdhui(), motif_fin="solution"
        )
    # Une archive au dossier plein (l'archive du monde, close, ne grandit plus).
    (archive,) = _situations(groupe, p.pilote, referents, 1, "ARCHIVE PLEINE")
    _dossier_rempli(archive, auteurs)
    groupe_services.situation_clore(
        archive, auteur=p.pilote, date_fin=_aujourdhui(), motif_fin="demenagement"
    )
    m.archive = archive
    for personne in (p.membre, p.pilote, p.coordonnateur):
        for situation in a.situations:
            groupe_services.journal_noter(
                groupe=groupe,
                utilisateur=personne,
                operation=JournalAcces.Operation.CONSULTER,
                situation=situation,
                adresse_ip="192.0.2.2",
            )


def _points(reunion, titres):
    return [{"point": point, "titre": point.titre} for point in reunion.points.all()] + [
        {"titre": titre, "description": f"Description de « {titre} »"} for titre in titres
    ]


def _agrandir_les_reunions(m, p, a):
    groupe = m.groupe
    situations = list(groupe.situations.actives())
    # La réunion à venir : plus de points et de situations, convoquée à tous les membres.
    groupe_services.reunion_modifier(
        m.reunion,
        auteur=p.pilote,
        base_url=BASE_URL,
        points=_points(m.reunion, [f"Point en plus {i}" for i in range(EN_PLUS)]),
        situations=situations,
    )
    groupe_services.reunion_convoquer(m.reunion, auteur=p.pilote, base_url=BASE_URL)
    # La réunion passée : présences, participants, points, notes, décisions, situations.
    _reunion_remplie(m.reunion_passee, p, a, situations)
    # Une réunion validée, pleine (le compte rendu validé du monde est figé).
    validee = ReunionFactory(groupe=groupe, cree_par=p.pilote, date=_jours(-3))
    PointFactory(reunion=validee, ordre=1)
    _reunion_remplie(validee, p, a, situations)
    groupe_services.compte_rendu_valider(validee, auteur=p.pilote)
    m.reunion_validee = validee
    # La décision actée, suivie plusieurs fois (son historique).
    for i in range(EN_PLUS):
        groupe_services.decision_suivre(
            m.decision_actee, auteur=p.membre, statut="en_cours", commentaire=f"Suivi {i}"
        )


def _reunion_remplie(reunion, p, a, situations):
    groupe_services.reunion_modifier(
        reunion,
        auteur=p.pilote,
        base_url=BASE_URL,
        points=_points(reunion, [f"Point en plus {i}" for i in range(EN_PLUS)]),
        situations=situations,
    )
    statuts = [Presence.Statut.PRESENT, Presence.Statut.EXCUSE, Presence.Statut.REPRESENTE]
    groupe_services.presences_enregistrer(
        reunion,
        auteur=p.pilote,
        presences=[
            (appartenance, statuts[i % 3], "Un adjoint")
            for i, appartenance in enumerate(reunion.groupe.appartenances.actives())
        ],
        participants_exterieurs=[(f"Invité {i}", "Association") for i in range(EN_PLUS)],
    )
    groupe_services.compte_rendu_enregistrer(
        reunion,
        auteur=p.pilote,
        synthese="Synthèse complète",
        notes={point: f"Notes du point {point.ordre}" for point in reunion.points.all()},
    )
    porteurs = [p.membre, p.pilote, *a.membres]
    for i in range(EN_PLUS):
        groupe_services.decision_ajouter(
            reunion,
            auteur=p.pilote,
            libelle=f"Décision en plus {i}",
            porteur=porteurs[i % len(porteurs)],
            echeance=_jours(10 + i),
            situation=situations[i % len(situations)],
        )
        groupe_services.decision_ajouter(
            reunion,
            auteur=p.pilote,
            libelle=f"Décision d'une institution {i}",
            institution_porteuse=a.institutions[i],
        )


def _agrandir_les_plans(m, p, a):
    plan = m.plan
    annee = _aujourdhui().year
    for i in range(EN_PLUS):
        programme_services.plan_modifier(plan, constats=f"Constats, version {i}")
        programme_services.plan_creer(
            groupe=m.groupe,
            titre=f"Plan en plus {i}",
            date_debut=datetime.date(annee - 1 - i, 1, 1),
            date_fin=datetime.date(annee - 1 - i, 12, 31),
        )
        lieu = programme_services.lieu_sensible_creer(
            plan=plan, territoire=a.territoires[i], nom=f"Lieu en plus {i}"
        )
        for lieu_rempli in (lieu, m.lieu):
            programme_services.periode_ajouter(
                lieu=lieu_rempli,
                jours=["ven", "sam"],
                saisons=["ete"],
                heure_debut=datetime.time(20 + i),
                heure_fin=datetime.time(23),
            )
            programme_services.mesure_ajouter(
                lieu=lieu_rempli, categorie="eclairage", description=f"Mesure {i}"
            )
        action = programme_services.action_creer(
            plan=plan,
            titre=f"Action en plus {i}",
            programme=programme(),
            porteur=a.institutions[i],
            partenaires=a.institutions,
            territoire=a.territoires[i],
            referent=p.membre,
            date_debut=_jours(-60),
            # Une sur deux est en retard (l'échéance est passée, l'action pas finie).
            date_fin=_jours(-1 if i % 2 else 60),
            statut=Action.Statut.VALIDEE,
        )
        for source in ("fipd", "caf"):
            programme_services.financement_ajouter(
                action=action,
                source=source,
                montant_demande=Decimal("500"),
                montant_accorde=Decimal("250"),
                date_decision=_jours(-5),
            )
        programme_services.financement_ajouter(
            action=m.action, source="caf", montant_demande=Decimal(100 + i)
        )
    # L'action du monde : des partenaires, un référent, des décisions liées.
    programme_services.action_modifier(m.action, partenaires=a.institutions, referent=p.membre)
    for decision in Decision.objects.actees().filter(reunion__groupe=m.groupe)[:EN_PLUS]:
        programme_services.action_lier_decision(m.action, decision)
    # La proposition à trancher a des précédentes, renvoyées « à revoir ».
    for i in range(EN_PLUS):
        programme_services.proposition_statuer(
            m.proposition,
            auteur=p.formation_restreinte,
            decision=Proposition.Decision.A_REVOIR,
            commentaire=f"À revoir ({i})",
        )
        m.proposition = programme_services.action_proposer(
            m.proposition.action, auteur=p.pilote, expose=f"Proposition, version {i + 2}"
        )


def _valeurs(suivis, territoires, nombre=10):
    """Des valeurs valides pour chaque indicateur suivi."""
    valeurs = {}
    for indicateur in suivis:
        if indicateur.type == "texte":
            valeurs[indicateur] = "Un texte de bilan."
        elif indicateur.type == "repartition":
            valeurs[indicateur] = {
                "age": {TRANCHES_AGE[0][0]: nombre},
                "sexe": {SEXES[0][0]: nombre},
                "territoire": {str(territoires[0].pk): nombre - 1, HORS_TERRITOIRE[0]: 1},
            }
        elif indicateur.type == "pourcentage":
            valeurs[indicateur] = "40"
        else:
            valeurs[indicateur] = str(nombre)
    return valeurs


def _agrandir_l_evaluation(m, p, a):
    conseil = m.conseil
    annee = _aujourdhui().year
    territoires = list(conseil.territoires.order_by("pk"))
    nationaux = Indicateur.objects.filter(
        conseil=None,
        code__in=["beneficiaires", "profil", "professionnels", "reiteration", "difficultes"],
    )
    locaux = Indicateur.objects.filter(conseil=conseil)
    cibles = dict.fromkeys([*nationaux, *locaux])
    cibles.update(dict.fromkeys(locaux, "20"))
    # L'évaluation de l'action du monde suit plus d'indicateurs, sur plus de périodes.
    evaluation_services.evaluation_parametrer(m.action, rythme="semestre", cibles=cibles)
    suivis = list(cibles)
    valeurs = _valeurs(suivis, territoires)
    evaluation_services.saisie_enregistrer(m.saisie, auteur=p.membre, valeurs=valeurs)
    soumise = m.saisie_soumise
    evaluation_services.saisie_renvoyer(soumise, auteur=p.pilote, commentaire="À compléter")
    evaluation_services.saisie_enregistrer(
        soumise, auteur=p.membre, valeurs=valeurs, soumettre=True
    )
    for annee_passee in range(annee - 1 - EN_PLUS, annee - 1):
        for numero in (1, 2):
            _saisie_validee(m.evaluation, p, annee_passee, numero, valeurs)
    _saisie_validee(m.evaluation, p, annee - 1, 2, valeurs)
    # Les actions validées du plan sont évaluées aussi, validées pour l'année.
    for action in m.plan.actions.filter(statut=Action.Statut.VALIDEE):
        evaluation = evaluation_services.evaluation_parametrer(
            action, rythme="annee", cibles=cibles
        )
        _saisie_validee(evaluation, p, annee, 1, valeurs)
        evaluation_services.saisie_ouvrir(evaluation, auteur=p.membre, annee=annee - 1)
    # Le rapport soumis : les chiffres d'aujourd'hui (son contenu est figé à sa préparation,
    # on le refige ici), des commentaires ; d'autres rapports, d'autres années.
    RapportEvaluation.objects.filter(pk=m.rapport.pk).update(
        contenu=evaluation_selectors.contenu_du_rapport(conseil, annee, None)
    )
    m.rapport.refresh_from_db()
    m.rapport.saisies.set(evaluation_selectors.saisies_validees(conseil, annee, None))
    for i, partie in enumerate(evaluation_selectors.parties_du_rapport(m.rapport)):
        for auteur in (p.formation_restreinte, p.coordonnateur):
            evaluation_services.rapport_commenter(
                m.rapport, auteur=auteur, partie=partie, texte=f"Commentaire {i}"
            )
    for i in range(EN_PLUS):
        rapport = evaluation_services.rapport_preparer(
            conseil=conseil, annee=annee - 2 - i, auteur=p.coordonnateur
        )
        evaluation_services.rapport_soumettre(rapport, auteur=p.coordonnateur)
        evaluation_services.rapport_preparer(
            conseil=conseil,
            annee=annee - 2 - i,
            programme=programme(Programme.Axe.TRANQUILLITE),
            auteur=p.coordonnateur,
        )


def _saisie_validee(evaluation, p, annee, numero, valeurs):
    saisie = evaluation_services.saisie_ouvrir(
        evaluation, auteur=p.membre, annee=annee, numero=numero
    )
    evaluation_services.saisie_enregistrer(saisie, auteur=p.membre, valeurs=valeurs, soumettre=True)
    return evaluation_services.saisie_valider(saisie, auteur=p.pilote)


def _agrandir_ailleurs(m, p):
    """Les autres groupes du conseil et un autre conseil : rien de tout cela ne doit entrer
    dans les pages des personas (ni dans leurs requêtes)."""
    reunions_du_groupe(m.autre_groupe, auteur=p.coordonnateur, porteur=p.etranger)
    plans_du_groupe(m.autre_groupe, institution=m.institution, territoire=m.territoire)
    construire_ailleurs()


# Les mesures, une fois pour le module ------------------------------------------------------


def _reglages_des_pages():
    """Ceux des fixtures automatiques de tests/conftest.py, qui ne valent que par test :
    les gabarits stricts, les fichiers statiques sans manifeste."""
    return {
        "TEMPLATES": [
            {**m, "OPTIONS": {**m.get("OPTIONS", {}), "string_if_invalid": _VARIABLE_INCONNUE}}
            for m in settings.TEMPLATES
        ],
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


@pytest.fixture(scope="module")
def mesures(django_db_setup, django_db_blocker):
    with donnees_du_module(django_db_blocker), override_settings(**_reglages_des_pages()):
        monde = completer(construire_monde(creer_personas()))
        petit = tout_mesurer(monde)
        grand = tout_mesurer(agrandir(monde))
        yield SimpleNamespace(petit=petit, grand=grand)


# Chaque URL a un budget, ou une raison de ne pas en avoir -----------------------------------


def test_chaque_url_a_un_budget_ou_une_raison():
    budgetees = {nom for nom, _, _ in CAS}
    sans_rien = urls_du_projet() - budgetees - set(EXCLUES)
    assert not sans_rien, f"URL sans budget de requêtes ni raison de l'exclure : {sans_rien}"
    assert not budgetees & set(EXCLUES)
    assert set(EXCLUES) <= urls_du_projet(), "EXCLUES cite une URL qui n'existe plus."
    assert all(raison.strip() for raison in EXCLUES.values())


def test_une_url_exclue_ne_s_affiche_a_personne():
    """Une exclusion ne cache pas une page : aucune persona n'en reçoit une (200)."""
    for nom in EXCLUES:
        assert 200 not in TABLE[nom].attendus.values(), nom


def test_chaque_pdf_est_mesure_par_ses_deux_chemins():
    for nom in PDF:
        variantes = {v for n, _, v in CAS if n == nom}
        assert variantes == {PDF_DANS_LA_REQUETE, PDF_EN_ARRIERE_PLAN}, nom


# Le budget de chaque page -------------------------------------------------------------------


def _sql(mesure):
    return "\n".join(f"  {sql}" for sql in mesure.requetes)


def _statut_attendu(mesure, variante):
    if variante == PDF_EN_ARRIERE_PLAN:
        assert mesure.statut == 303, mesure.statut
        assert mesure.redirection.startswith("/pdf/"), mesure.redirection
    else:
        assert mesure.statut == 200, (mesure.statut, mesure.redirection)


@pytest.mark.parametrize(
    ("nom", "persona", "variante"),
    CAS,
    ids=[f"{n}-{p}-{v}" if v else f"{n}-{p}" for n, p, v in CAS],
)
def test_budget(mesures, nom, persona, variante):
    petit = mesures.petit[(nom, persona, variante)]
    grand = mesures.grand[(nom, persona, variante)]

    assert not petit.erreur, petit.erreur
    assert not grand.erreur, grand.erreur
    _statut_attendu(petit, variante)
    _statut_attendu(grand, variante)
    assert len(petit.requetes) == len(grand.requetes), (
        f"{len(petit.requetes)} requêtes sur le petit monde, {len(grand.requetes)} sur le "
        f"grand :\n--- petit\n{_sql(petit)}\n--- grand\n{_sql(grand)}"
    )
    assert len(grand.requetes) <= MAX_REQUETES, f"{len(grand.requetes)} requêtes :\n{_sql(grand)}"


# Le grand monde est vraiment plus grand ------------------------------------------------------

# Les pages dont le contenu dépend de la taille du monde : chacune doit montrer davantage sur
# le grand (pour au moins une persona), sans quoi l'agrandissement ne l'atteindrait pas et sa
# mesure ne prouverait rien. Les autres pages sont des formulaires et des pages de compte.
GRANDISSENT = (
    "accueil",
    "evaluation:action_evaluation",
    "evaluation:indicateurs",
    "evaluation:mes_saisies",
    "evaluation:parametrer",
    "evaluation:rapport",
    "evaluation:rapport_historique",
    "evaluation:rapport_pdf",
    "evaluation:rapports",
    "evaluation:saisie",
    "evaluation:saisie_historique",
    "formation_restreinte",
    "groupes:archives",
    "groupes:calendrier_flux",
    "groupes:charte",
    "groupes:compte_rendu_pdf",
    "groupes:compte_rendu_version",
    "groupes:conseil",
    "groupes:decision_modifier",
    "groupes:detail",
    "groupes:historique",
    "groupes:journal",
    "groupes:mes_decisions",
    "groupes:pilote_designer",
    "groupes:presences",
    "groupes:reunion_convoquer",
    "groupes:reunion_detail",
    "groupes:reunion_historique",
    "groupes:reunion_modifier",
    "groupes:reunions",
    "groupes:situation_detail",
    "groupes:situations",
    "institution_liste",
    "mes_donnees",
    "programmes:action_decisions",
    "programmes:action_detail",
    "programmes:conseil",
    "programmes:export",
    "programmes:plan_detail",
    "programmes:plan_historique",
    "programmes:plan_pdf",
    "programmes:plans",
    "programmes:proposition_statuer",
    "programmes:propositions",
    "territoire_liste",
)


@pytest.mark.parametrize("nom", GRANDISSENT)
def test_le_grand_monde_montre_davantage(mesures, nom):
    cas = [(p, v) for n, p, v in CAS if n == nom and v != PDF_EN_ARRIERE_PLAN]
    assert cas, f"{nom} n'est pas mesurée."
    assert any(
        mesures.grand[(nom, p, v)].octets > mesures.petit[(nom, p, v)].octets for p, v in cas
    ), f"{nom} ne montre rien de plus sur le grand monde."


# Les permissions passent par les tables directes ----------------------------------------------

# django-guardian range ailleurs les permissions dans deux tables génériques (clé de l'objet
# en texte, type de contenu) : les lire demanderait de convertir chaque clé, sans index.
TABLES_GENERIQUES = re.compile(r'"guardian_(user|group)objectpermission"')
TABLES_DIRECTES = re.compile(r'"(clspd_conseilpermission|groupes_groupepermission)"')


def test_les_permissions_se_lisent_dans_les_tables_directes(mesures):
    """Aucune page ne lit les tables génériques de guardian ; chaque page qui désigne un
    objet d'un conseil lit les permissions de la personne dans les tables directes (clés
    étrangères indexées). Les plans de ces requêtes sont vérifiés sur PostgreSQL par
    tests/test_index.py."""
    generiques, sans_permission = set(), set()
    for (nom, persona, variante), mesure in (mesures.petit | mesures.grand).items():
        if any(TABLES_GENERIQUES.search(sql) for sql in mesure.requetes):
            generiques.add((nom, persona, variante))
        if TABLE[nom].du_conseil and not any(
            TABLES_DIRECTES.search(sql) for sql in mesure.requetes
        ):
            sans_permission.add((nom, persona, variante))
    assert not generiques, f"Tables génériques de guardian lues : {sorted(generiques)}"
    assert not sans_permission, f"Objets d'un conseil lus sans permission : {sans_permission}"
