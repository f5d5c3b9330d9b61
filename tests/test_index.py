"""Les index des écrans, vérifiés par EXPLAIN sur PostgreSQL au jeu ``seed_scale`` (F=0,01).

Chaque page principale de chaque rôle (``pages_principales``, celles du banc), puis les
autres écrans de lecture qui filtrent ou trient une grande table (historiques, listes,
évaluation, calendrier, données personnelles), sont lus par la personne de leur rôle ;
chaque SELECT exécuté passe par EXPLAIN. Aucune lecture entière d'une grande table n'est
admise : ni « Seq Scan », ni un index lu en entier (sans « Index Cond », ou sans condition
sur sa première colonne), qui n'est qu'un parcours dans l'ordre de l'index. Enfin
``permissions.filtrer`` est expliqué seul, pour chaque modèle protégé, chaque rôle et
chaque action : une personne ne paie que pour ce qu'elle voit.

Le jeu à F=0,01 est petit (200 groupes, 4 000 réunions) : une table de quelques pages se
lit plus vite d'un bloc que par un index, et l'optimiseur a raison de le faire. Quand le
plan naturel lit une grande table en entier, on redemande donc le plan, en dernier
recours, comme si les tables étaient grandes (``COMME_A_GRANDE_ECHELLE``, des ``SET
LOCAL`` le temps d'un point de sauvegarde annulé : chaque ligne touchée coûte, ni
parcours séquentiel, ni jointure par hachage ou par fusion) : si chaque accès y est alors
borné par un index, la lecture entière ne venait que de la petite taille du jeu ; sinon
il manque un index, ou la requête ne peut pas s'en servir (un OU de sous-requêtes, trop de
tables pour que l'optimiseur réordonne les jointures), et le test échoue en montrant la
page, la requête et les deux plans.

``seed_scale`` ne remplit que l'essentiel (réunions, comptes rendus, décisions, plans,
actions, saisies) ; ``completer_le_jeu`` ajoute ce que lisent les écrans, pour que
l'optimiseur ait de vraies statistiques (sur une table vide, il estime une ligne partout
et prend un index au hasard), et ``historiser_le_jeu`` l'historique des modifications.
"""

import datetime
import io
import json
import re
from collections import defaultdict
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clspd import permissions
from clspd.management.commands.bench import pages_principales
from clspd.models import Conseil, Institution, Programme, Territoire, Utilisateur
from clspd.permissions import Action as Acces
from evaluation.models import CommentaireRapport, RapportEvaluation, Saisie, Valeur
from evaluation.selectors import contenu_du_rapport
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
    JetonCalendrier,
    JournalAcces,
    NoteSuivi,
    ParticipantExterieur,
    PointOrdreDuJour,
    Presence,
    Reunion,
    Situation,
)
from programmes.models import (
    Action,
    Financement,
    LieuSensible,
    Mesure,
    PeriodeSensible,
    PlanAction,
    Proposition,
)
from tests.conftest import donnees_du_module, requetes_capturees

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Les plans d'exécution se lisent sur PostgreSQL (DATABASE_URL=postgres://...).",
    ),
    pytest.mark.django_db,
]

FACTEUR = 0.01  # 10 conseils, 200 groupes, 500 comptes, 4 000 réunions, 20 000 valeurs

# Les tables qui grandissent avec les conseils, les groupes, les comptes ou le temps
# (réunions, décisions, comptes rendus, ordre du jour, présences, actions, plans,
# financements, indicateurs suivis, saisies et valeurs, appartenances, permissions
# directes, comptes, sessions, journaux, historiques).
GRANDES_TABLES = {
    "axes_accesslog",
    "clspd_conseilpermission",
    "clspd_institution",
    "clspd_membreformationrestreinte",
    "clspd_utilisateur",
    "django_session",
    "evaluation_commentairerapport",
    "evaluation_evaluationaction",
    "evaluation_indicateursuivi",
    "evaluation_rapportevaluation",
    "evaluation_rapportevaluation_saisies",
    "evaluation_saisie",
    "evaluation_valeur",
    "groupes_acceptationcharte",
    "groupes_actionsuivi",
    "groupes_appartenance",
    "groupes_charte",
    "groupes_compterendu",
    "groupes_convocation",
    "groupes_decision",
    "groupes_designationpilote",
    "groupes_groupeoperationnel",
    "groupes_groupepermission",
    "groupes_jetoncalendrier",
    "groupes_journalacces",
    "groupes_notesuivi",
    "groupes_participantexterieur",
    "groupes_pointordredujour",
    "groupes_presence",
    "groupes_reunion",
    "groupes_reunion_situations",
    "groupes_situation",
    "programmes_action",
    "programmes_action_decisions",
    "programmes_action_partenaires",
    "programmes_financement",
    "programmes_lieusensible",
    "programmes_mesure",
    "programmes_periodesensible",
    "programmes_planaction",
    "programmes_proposition",
}
# Les petites tables peuvent se lire d'un bloc : leur taille ne dépend pas de l'activité,
# ou à peine (quelques lignes par conseil). Ce sont les conseils (un millier au plus),
# la stratégie nationale et ses programmes, les communes et territoires d'un conseil, le
# catalogue des indicateurs, les permissions et types de contenu de Django.


def grande(table):
    """Les historiques (django-simple-history) grandissent avec chaque modification."""
    return table in GRANDES_TABLES or "_historical" in table


def catalogue_des_index(curseur):
    """{index: (table, première colonne, partiel)} de la base ; la première colonne est
    None pour un index sur une expression."""
    curseur.execute(
        """
        SELECT i.relname, t.relname, a.attname, x.indpred IS NOT NULL
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
        """
    )
    return {index: (table, colonne, partiel) for index, table, colonne, partiel in curseur}


def parcours_complets(plan, catalogue):
    """Les lectures entières d'une grande table : [(table, comment)]. Un index n'en borne
    la lecture que si sa condition porte sur sa première colonne ; un index partiel lu en
    entier ne lit que les lignes de son prédicat (les brouillons, les saisies soumises)."""
    trouves = []
    noeud_type = plan.get("Node Type")
    nom_index = plan.get("Index Name")
    table, colonne, partiel = catalogue.get(nom_index, (plan.get("Relation Name"), None, False))
    if table and grande(table):
        condition = plan.get("Index Cond", "")
        if noeud_type == "Seq Scan":
            trouves.append((table, "parcours séquentiel"))
        elif noeud_type in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"):
            if not condition and not partiel:
                trouves.append((table, f"{nom_index} lu en entier"))
            elif condition and colonne and not re.search(rf"(?<![.\w]){colonne}\b", condition):
                trouves.append((table, f"{nom_index} lu en entier, sans condition sur {colonne}"))
    for enfant in plan.get("Plans", []):
        trouves.extend(parcours_complets(enfant, catalogue))
    return trouves


# Le plan qu'on obtiendrait si toutes les tables étaient grandes. À F=0,01 une table tient
# en quelques pages, et l'optimiseur compte surtout des pages : il lit d'un bloc ou dans un
# ordre de jointure qui ne vaut que pour une petite table. On lui fait compter les lignes
# touchées (chaque ligne, de table ou d'index, coûte autant qu'une page), sans parcours
# séquentiel ni jointure par hachage ou par fusion (qui lisent chacune un côté en entier),
# ni parallélisme : il reste les boucles imbriquées, chaque accès borné par un index s'il
# en existe un.
COMME_A_GRANDE_ECHELLE = (
    "SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; "
    "SET LOCAL enable_mergejoin = off; SET LOCAL max_parallel_workers_per_gather = 0; "
    "SET LOCAL random_page_cost = 1; SET LOCAL cpu_tuple_cost = 1; "
    "SET LOCAL cpu_index_tuple_cost = 1"
)


def expliquer(curseur, sql, *, comme_a_grande_echelle=False):
    """(plan JSON, plan texte) de la requête ; comme à grande échelle si demandé, le temps
    d'un point de sauvegarde annulé ensuite (SET LOCAL survivrait à sa libération)."""
    with transaction.atomic():
        if comme_a_grande_echelle:
            curseur.execute(COMME_A_GRANDE_ECHELLE)
        curseur.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (plan_json,) = curseur.fetchone()
        curseur.execute(f"EXPLAIN {sql}")
        texte = "\n".join(ligne for (ligne,) in curseur.fetchall())
        transaction.set_rollback(True)
    if isinstance(plan_json, str):
        plan_json = json.loads(plan_json)
    return plan_json[0]["Plan"], texte


def verifier(curseur, sql, catalogue):
    """None si la requête ne lit aucune grande table en entier, sinon le diagnostic."""
    plan, texte = expliquer(curseur, sql)
    if not parcours_complets(plan, catalogue):
        return None
    plan_force, texte_force = expliquer(curseur, sql, comme_a_grande_echelle=True)
    complets = parcours_complets(plan_force, catalogue)
    if not complets:
        return None
    return (
        f"Lecture entière : {sorted(set(complets))}\n--- SQL\n{sql}\n--- plan\n{texte}\n"
        f"--- plan comme à grande échelle ({COMME_A_GRANDE_ECHELLE})\n{texte_force}"
    )


# Le jeu, construit une fois pour le module ----------------------------------------------


def completer_le_jeu():
    """Ce que ``seed_scale`` ne remplit pas et que lisent les écrans, dans des proportions
    plausibles : trente institutions et un territoire par conseil ; les plans des deux
    années passées (dix actions chacun) ; par réunion passée, trois points, les présences
    et convocations des membres, un participant extérieur, et une correction en cours
    (brouillon) pour une sur vingt ; deux situations par groupe
    (deux actions, trois notes, examinées aux trois dernières réunions, consultées par
    chaque membre au journal), une charte acceptée par ses membres ; deux lieux sensibles
    par plan (une période, une mesure) ; par action deux partenaires, une décision liée et
    une proposition décidée ; un jeton de calendrier par compte ; vingt rapports par
    conseil (dix ans, le conseil et un programme), vingt saisies et deux commentaires
    chacun ; une saisie sur vingt soumise, qui attend d'être validée."""
    maintenant = timezone.now()
    aujourdhui = timezone.localdate()
    conseils = list(Conseil.objects.order_by("pk"))
    territoires = {
        c.pk: t
        for c, t in zip(
            conseils,
            Territoire.objects.bulk_create(
                Territoire(conseil=c, nom="Centre-ville", type="quartier") for c in conseils
            ),
            strict=True,
        )
    }
    # Un annuaire de trente institutions par conseil (cinq dans seed_scale).
    Institution.objects.bulk_create(
        Institution(conseil=c, nom=f"Partenaire {k}", categorie="autre")
        for c in conseils
        for k in range(25)
    )
    institutions = defaultdict(list)
    for institution in Institution.objects.order_by("pk"):
        institutions[institution.conseil_id].append(institution)
    membres = defaultdict(list)
    for appartenance in Appartenance.objects.actives().order_by("role", "pk"):
        membres[appartenance.groupe_id].append(appartenance)  # le pilote d'abord

    reunions = list(Reunion.objects.filter(date__lt=aujourdhui).order_by("groupe", "date"))
    points, presences, convocations, exterieurs = [], [], [], []
    for reunion in reunions:
        pilote = membres[reunion.groupe_id][0].utilisateur_id
        for ordre in range(1, 4):
            points.append(PointOrdreDuJour(reunion=reunion, ordre=ordre, titre=f"Point {ordre}"))
        for rang, appartenance in enumerate(membres[reunion.groupe_id]):
            presences.append(
                Presence(
                    reunion=reunion,
                    appartenance=appartenance,
                    statut=("present", "present", "excuse", "absent")[rang % 4],
                )
            )
            convocations.append(
                Convocation(
                    reunion=reunion,
                    destinataire_id=appartenance.utilisateur_id,
                    type="convocation",
                    sequence=0,
                    envoyee_par_id=pilote,
                )
            )
        exterieurs.append(ParticipantExterieur(reunion=reunion, nom="Invitée", institution="CAF"))
    # Une réunion passée sur vingt a une correction en cours (un brouillon, version 2).
    brouillons = [
        CompteRendu(
            reunion=reunion,
            version=2,
            statut="brouillon",
            motif_correction="Une présence oubliée.",
            cree_par_id=membres[reunion.groupe_id][0].utilisateur_id,
        )
        for reunion in reunions[::20]
    ]
    for modele, objets in (
        (CompteRendu, brouillons),
        (PointOrdreDuJour, points),
        (Presence, presences),
        (Convocation, convocations),
        (ParticipantExterieur, exterieurs),
    ):
        modele.objects.bulk_create(objets, batch_size=5_000)

    groupes = list(GroupeOperationnel.objects.order_by("pk"))
    situations = Situation.objects.bulk_create(
        Situation(
            groupe=groupe,
            nom=f"Nom{groupe.pk}-{k}",
            prenom="Prénom",
            sexe="F",
            date_naissance=datetime.date(2010, 1, 1),
            scolarite="scolarise",
            date_debut=aujourdhui - datetime.timedelta(days=200),
            origines=["etablissement"],
            programme_id=groupe.programme_id,
            referent_id=membres[groupe.pk][0].utilisateur_id,
            cree_par_id=membres[groupe.pk][0].utilisateur_id,
            # La troisième est close : les archives.
            date_fin=aujourdhui - datetime.timedelta(days=10) if k == 2 else None,
            motif_fin="solution" if k == 2 else "",
        )
        for groupe in groupes
        for k in range(3)
    )
    ActionSuivi.objects.bulk_create(
        ActionSuivi(situation=situation, libelle="Accompagnement", date_debut=situation.date_debut)
        for situation in situations
        for _ in range(2)
    )
    NoteSuivi.objects.bulk_create(
        NoteSuivi(situation=situation, texte="Rendez-vous honoré.", auteur_id=situation.referent_id)
        for situation in situations
        for _ in range(3)
    )
    par_groupe = defaultdict(list)
    for reunion in reunions:
        par_groupe[reunion.groupe_id].append(reunion)
    lien = Reunion.situations.through
    lien.objects.bulk_create(
        lien(reunion=reunion, situation=situation)
        for situation in situations
        for reunion in par_groupe[situation.groupe_id][-3:]
    )

    plans = list(PlanAction.objects.select_related("groupe").order_by("pk"))
    # Les plans des deux années passées, clos, et leurs actions terminées (seed_scale ne
    # crée que ceux de l'année) : les rapports d'une année les cherchent par leurs dates.
    anciens = PlanAction.objects.bulk_create(
        PlanAction(
            groupe=groupe,
            titre=f"Plan {annee}",
            date_debut=datetime.date(annee, 1, 1),
            date_fin=datetime.date(annee, 12, 31),
            statut="clos",
            adopte_le=datetime.date(annee, 1, 15),
        )
        for groupe in groupes
        for annee in (aujourdhui.year - 2, aujourdhui.year - 1)
    )
    Action.objects.bulk_create(
        (
            Action(
                plan=plan,
                titre=f"Action {k + 1}",
                programme_id=plan.groupe.programme_id,
                porteur=institutions[plan.groupe.conseil_id][k % 5],
                date_debut=plan.date_debut,
                date_fin=plan.date_fin,
                statut="terminee",
            )
            for plan in anciens
            for k in range(10)
        ),
        batch_size=5_000,
    )
    lieux = LieuSensible.objects.bulk_create(
        LieuSensible(plan=plan, territoire=territoires[plan.groupe.conseil_id], nom=f"Lieu {k}")
        for plan in plans
        for k in range(2)
    )
    PeriodeSensible.objects.bulk_create(
        PeriodeSensible(lieu=lieu, heure_debut=datetime.time(22), heure_fin=datetime.time(2))
        for lieu in lieux
    )
    Mesure.objects.bulk_create(Mesure(lieu=lieu, categorie="eclairage") for lieu in lieux)

    decisions = {}
    for decision in Decision.objects.select_related("reunion").order_by("pk"):
        decisions.setdefault(decision.reunion.groupe_id, decision)
    actions = list(Action.objects.select_related("plan__groupe").order_by("pk"))
    partenaires, liees, propositions = [], [], []
    for action in actions:
        groupe = action.plan.groupe
        for institution in institutions[groupe.conseil_id][1:3]:
            partenaires.append(Action.partenaires.through(action=action, institution=institution))
        liees.append(Action.decisions.through(action=action, decision=decisions[groupe.pk]))
        propositions.append(
            Proposition(
                action=action,
                proposee_par_id=membres[groupe.pk][0].utilisateur_id,
                decision="retenue",
                decidee_le=maintenant,
            )
        )
    Action.partenaires.through.objects.bulk_create(partenaires, batch_size=5_000)
    Action.decisions.through.objects.bulk_create(liees, batch_size=5_000)
    Proposition.objects.bulk_create(propositions, batch_size=5_000)

    # Dix années de rapports par conseil, pour tout le conseil et pour un programme.
    programme = Programme.objects.order_by("pk").first()
    coordonnateurs = {c.pk: c.coordonnateurs.order_by("pk").first() for c in conseils}
    # Le contenu figé d'un rapport du conseil, le même pour tous ses rapports.
    contenus = {c.pk: contenu_du_rapport(c, aujourdhui.year - 1) for c in conseils}
    chartes = Charte.objects.bulk_create(
        Charte(
            groupe=groupe,
            version=1,
            charte_deontologique="Confidentialité des échanges.",
            adoptee_le=aujourdhui - datetime.timedelta(days=300),
            redigee_par_id=membres[groupe.pk][0].utilisateur_id,
        )
        for groupe in groupes
    )
    AcceptationCharte.objects.bulk_create(
        AcceptationCharte(charte=charte, utilisateur_id=appartenance.utilisateur_id)
        for charte in chartes
        for appartenance in membres[charte.groupe_id]
    )
    JournalAcces.objects.bulk_create(
        (
            JournalAcces(
                groupe_id=situation.groupe_id,
                reference=situation.reference,
                utilisateur_id=appartenance.utilisateur_id,
                operation="consulter",
                horodatage=maintenant - datetime.timedelta(days=rang),
            )
            for situation in situations
            for rang, appartenance in enumerate(membres[situation.groupe_id])
        ),
        batch_size=5_000,
    )
    JetonCalendrier.objects.bulk_create(
        JetonCalendrier(utilisateur=utilisateur, jeton=f"jeton-{utilisateur.pk}")
        for utilisateur in Utilisateur.objects.order_by("pk")
    )

    rapports = RapportEvaluation.objects.bulk_create(
        RapportEvaluation(
            conseil=conseil,
            annee=aujourdhui.year - k,
            programme=perimetre,
            titre=f"Rapport {aujourdhui.year - k}",
            statut="soumis",
            soumis_le=maintenant,
            contenu=contenus[conseil.pk],
            prepare_par=coordonnateurs[conseil.pk],
        )
        for conseil in conseils
        for k in range(1, 11)
        for perimetre in (None, programme)
    )
    # Une saisie sur vingt attend d'être validée (seed_scale les valide toutes).
    for rang, pk in enumerate(Saisie.objects.order_by("pk").values_list("pk", flat=True)[::20]):
        Saisie.objects.filter(pk=pk).update(
            statut="soumise", soumise_le=maintenant - datetime.timedelta(hours=rang)
        )
    saisies = defaultdict(list)
    for saisie in Saisie.objects.select_related("evaluation__action__plan__groupe").order_by("pk"):
        conseil_id = saisie.evaluation.action.plan.groupe.conseil_id
        if len(saisies[conseil_id]) < 20:
            saisies[conseil_id].append(saisie)
    lien = RapportEvaluation.saisies.through
    lien.objects.bulk_create(
        lien(rapportevaluation=rapport, saisie=saisie)
        for rapport in rapports
        for saisie in saisies[rapport.conseil_id]
    )
    CommentaireRapport.objects.bulk_create(
        CommentaireRapport(rapport=rapport, partie="synthese", texte="Vu.", auteur=auteur)
        for rapport in rapports
        for auteur in [rapport.prepare_par] * 2
    )


def historiser_le_jeu():
    """Une ligne d'historique (création) pour chaque objet que montrent les pages
    d'historique : ``seed_scale`` insère en masse, sans historique."""
    modeles = [
        GroupeOperationnel,
        Appartenance,
        DesignationPilote,
        Charte,
        Reunion,
        PointOrdreDuJour,
        Presence,
        ParticipantExterieur,
        CompteRendu,
        Decision,
        PlanAction,
        LieuSensible,
        PeriodeSensible,
        Mesure,
        Action,
        Financement,
        Proposition,
        Saisie,
        Valeur,
        RapportEvaluation,
        CommentaireRapport,
    ]
    for modele in modeles:
        modele.historique.bulk_history_create(
            list(modele.objects.order_by("pk")), batch_size=5_000, default_date=timezone.now()
        )


def autres_ecrans(personnes, objets):
    """Les autres écrans de lecture qui filtrent ou trient une grande table : historiques,
    listes du conseil et du groupe, évaluation, calendrier, données personnelles, et le
    suivi individuel d'un groupe du programme jeunes (situations, archives, journal)."""
    conseil, reunion, plan = objets["conseil"], objets["reunion"], objets["plan"]
    groupe = reunion.groupe
    action = plan.actions.order_by("pk").first()
    saisie = Saisie.objects.filter(evaluation__action=action).order_by("pk").first()
    rapport = conseil.rapports.order_by("pk").first()
    jeton = JetonCalendrier.objects.get(utilisateur=personnes["membre"]).jeton
    jeunes = (
        GroupeOperationnel.objects.filter(conseil=conseil, programme__axe="jeunes")
        .order_by("pk")
        .first()
    )
    situation = jeunes.situations.actives().order_by("pk").first()
    return {
        "pilote d'un groupe jeunes": [
            ("situations", reverse("groupes:situations", args=[jeunes.pk])),
            ("recherche de situations", reverse("groupes:situations", args=[jeunes.pk]) + "?q=Nom"),
            ("situation", reverse("groupes:situation_detail", args=[situation.pk])),
            ("archives", reverse("groupes:archives", args=[jeunes.pk])),
            ("journal des accès", reverse("groupes:journal", args=[jeunes.pk])),
        ],
        "coordonnateur": [
            ("historique du groupe", reverse("groupes:historique", args=[groupe.pk])),
            ("propositions", reverse("programmes:propositions", args=[conseil.pk])),
            ("indicateurs", reverse("evaluation:indicateurs", args=[conseil.pk])),
            ("territoires", reverse("territoire_liste", args=[conseil.pk])),
            ("rapport", reverse("evaluation:rapport", args=[rapport.pk])),
            ("historique du rapport", reverse("evaluation:rapport_historique", args=[rapport.pk])),
            ("mes saisies", reverse("evaluation:mes_saisies")),  # les saisies à valider
        ],
        "pilote": [
            ("plans du groupe", reverse("programmes:plans", args=[groupe.pk])),
            ("historique du plan", reverse("programmes:plan_historique", args=[plan.pk])),
            ("historique de la réunion", reverse("groupes:reunion_historique", args=[reunion.pk])),
            ("présences", reverse("groupes:presences", args=[reunion.pk])),
            ("décisions de l'action", reverse("programmes:action_decisions", args=[action.pk])),
            ("évaluation de l'action", reverse("evaluation:action_evaluation", args=[action.pk])),
            ("saisie", reverse("evaluation:saisie", args=[saisie.pk])),
            ("historique de la saisie", reverse("evaluation:saisie_historique", args=[saisie.pk])),
        ],
        "membre": [
            ("calendrier", reverse("groupes:calendrier")),
            ("calendrier (abonnement)", reverse("groupes:calendrier_flux", args=[jeton])),
            ("mon compte", reverse("mon_compte")),
            ("mes données", reverse("mes_donnees")),
        ],
    }


def selects(capturees):
    return [q["sql"] for q in capturees if q["sql"].startswith("SELECT")]


@pytest.fixture(scope="module")
def _jeu(django_db_setup, django_db_blocker):
    """Les SELECT de chaque page ({(rôle, page): [SQL]}), vue à chaud par la personne de
    son rôle, sur le jeu complété et analysé (ANALYZE : les statistiques de l'optimiseur) ;
    et ces personnes."""
    statiques = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with donnees_du_module(django_db_blocker), override_settings(STORAGES=statiques):
        call_command("seed_scale", factor=FACTEUR, stdout=io.StringIO())
        completer_le_jeu()
        historiser_le_jeu()
        # Les clés étrangères différées se vérifient une fois ici, et non à la fin de
        # chaque test (Django les vérifie avant d'annuler son point de sauvegarde).
        connection.check_constraints()
        with connection.cursor() as curseur:
            curseur.execute("ANALYZE")
        personnes, pages, objets = pages_principales()
        personnes["pilote d'un groupe jeunes"] = (
            Appartenance.objects.filter(
                groupe__conseil=objets["conseil"], groupe__programme__axe="jeunes", role="pilote"
            )
            .order_by("groupe")
            .first()
            .utilisateur
        )
        ecrans = defaultdict(list)
        for liste in (pages, autres_ecrans(personnes, objets)):
            for role, pages_du_role in liste.items():
                ecrans[role].extend(pages_du_role)
        requetes = {
            cle: selects(capturees)
            for cle, capturees in requetes_capturees(personnes, ecrans).items()
        }
        # La préparation d'un rapport : les cumuls d'une année du conseil, figés.
        with CaptureQueriesContext(connection) as capturees:
            contenu_du_rapport(objets["conseil"], timezone.localdate().year)
        requetes[("coordonnateur", "contenu d'un rapport")] = selects(capturees.captured_queries)
        yield SimpleNamespace(requetes=requetes, personnes=personnes)


@pytest.fixture
def jeu(_jeu, db):
    return _jeu


PAGES = [
    ("coordonnateur", "accueil"),
    ("coordonnateur", "groupes du conseil"),
    ("coordonnateur", "fiche du groupe"),
    ("coordonnateur", "synthèse du conseil"),
    ("coordonnateur", "rapports"),
    ("formation restreinte", "accueil"),
    ("formation restreinte", "synthèse du conseil"),
    ("formation restreinte", "plan d'action"),
    ("pilote", "fiche du groupe"),
    ("pilote", "réunions du groupe"),
    ("pilote", "réunion"),
    ("pilote", "plan d'action"),
    ("pilote", "action"),
    ("pilote", "mes décisions"),
    ("membre", "accueil"),
    ("membre", "mes décisions"),
    ("membre", "mes saisies"),
    ("membre", "réunion"),
    ("coordonnateur", "historique du groupe"),
    ("coordonnateur", "propositions"),
    ("coordonnateur", "indicateurs"),
    ("coordonnateur", "territoires"),
    ("coordonnateur", "rapport"),
    ("coordonnateur", "historique du rapport"),
    ("coordonnateur", "contenu d'un rapport"),
    ("coordonnateur", "mes saisies"),
    ("pilote", "plans du groupe"),
    ("pilote", "historique du plan"),
    ("pilote", "historique de la réunion"),
    ("pilote", "présences"),
    ("pilote", "décisions de l'action"),
    ("pilote", "évaluation de l'action"),
    ("pilote", "saisie"),
    ("pilote", "historique de la saisie"),
    ("membre", "calendrier"),
    ("membre", "calendrier (abonnement)"),
    ("membre", "mon compte"),
    ("membre", "mes données"),
    ("pilote d'un groupe jeunes", "situations"),
    ("pilote d'un groupe jeunes", "recherche de situations"),
    ("pilote d'un groupe jeunes", "situation"),
    ("pilote d'un groupe jeunes", "archives"),
    ("pilote d'un groupe jeunes", "journal des accès"),
]


def test_chaque_page_du_banc_est_verifiee(jeu):
    _, pages, _ = pages_principales()
    du_banc = {(role, page) for role, liste in pages.items() for page, _ in liste}
    verifiees = {p.values if hasattr(p, "values") else p for p in PAGES}

    assert du_banc <= verifiees
    assert verifiees == set(jeu.requetes)


@pytest.mark.parametrize(("role", "page"), PAGES)
def test_la_page_ne_lit_aucune_grande_table_en_entier(jeu, role, page):
    requetes = jeu.requetes[(role, page)]
    assert requetes
    with connection.cursor() as curseur:
        catalogue = catalogue_des_index(curseur)
        echecs = [d for sql in requetes if (d := verifier(curseur, sql, catalogue))]
    entete = f"{role}, page « {page} » : {len(echecs)} requête(s) lisent une grande table en entier"
    assert not echecs, entete + "\n\n" + "\n\n".join(echecs)


# Le filtrage des permissions ---------------------------------------------------------------


def _modeles_proteges():
    return sorted(
        (m for m in apps.get_models() if hasattr(m, "chemin_conseil")),
        key=lambda m: m._meta.label,
    )


def test_la_portee_se_lit_par_les_index(jeu):
    """La portée d'une personne (ses permissions sur les conseils et les groupes, et les
    groupes de ses conseils) : une requête sur les tables directes, par leur index sur
    l'utilisateur, jamais en les lisant en entier."""
    echecs = []
    with connection.cursor() as curseur:
        catalogue = catalogue_des_index(curseur)
        for role, personne in jeu.personnes.items():
            with CaptureQueriesContext(connection) as capturees:
                permissions.portee(personne)
            assert capturees.captured_queries, role
            for requete in capturees.captured_queries:
                if diagnostic := verifier(curseur, requete["sql"], catalogue):
                    echecs.append(f"=== {role}\n{diagnostic}")
    assert not echecs, "\n\n".join(echecs)


@pytest.mark.parametrize("modele", [m._meta.label for m in _modeles_proteges()])
def test_filtrer_part_des_permissions(jeu, modele):
    """Tout ce qu'une personne peut voir d'un modèle, pour chaque rôle et chaque action :
    la requête part des identifiants de ses groupes ou conseils, par les index des clés
    étrangères, jamais de la table entière."""
    modele = apps.get_model(modele)
    echecs = []
    with connection.cursor() as curseur:
        catalogue = catalogue_des_index(curseur)
        for role, personne in jeu.personnes.items():
            for action in Acces:
                requete = permissions.filtrer(personne, modele._default_manager.all(), action)
                try:
                    sql, parametres = requete.query.sql_with_params()
                except EmptyResultSet:
                    continue  # rien de permis : aucune requête n'est faite
                sql = connection.ops.compose_sql(sql, parametres)
                if diagnostic := verifier(curseur, sql, catalogue):
                    echecs.append(f"=== {role}, {action}\n{diagnostic}")
    assert not echecs, f"{modele._meta.label} : {len(echecs)} filtrage(s) sans index\n\n" + (
        "\n\n".join(echecs)
    )
