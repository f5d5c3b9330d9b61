"""Un jeu de données synthétique à l'échelle nationale, pour mesurer (``make bench``) et
vérifier les plans d'exécution : à ``--factor 1``, 1 000 conseils, 20 000 groupes,
50 000 comptes, 400 000 réunions et 600 000 décisions, 200 000 actions et 2 000 000 de
valeurs d'indicateurs. Reproductible (``--seed``), par insertions en masse : ni services
ni signaux, donc ni historique ni courriel.

Chaque compte appartient à une poignée de groupes de son conseil ; le premier compte d'un
conseil le coordonne, le deuxième siège à sa formation restreinte, le premier membre d'un
groupe le pilote. Tous ont le mot de passe
``--password`` (le même hachage, calculé une fois)."""

import datetime
import random
import time
import uuid

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from clspd.models import (
    Conseil,
    ConseilPermission,
    Institution,
    MembreFormationRestreinte,
    Programme,
    Utilisateur,
)
from evaluation.models import EvaluationAction, Indicateur, IndicateurSuivi, Saisie, Valeur
from groupes.models import (
    Appartenance,
    CompteRendu,
    Decision,
    DesignationPilote,
    GroupeOperationnel,
    GroupePermission,
    Reunion,
)
from programmes.models import Action, Financement, PlanAction

DOMAINE = "echelle.clspd.fr"
# À --factor 1 (les proportions de l'issue) ; chaque nombre est au moins 1.
TAILLE = {"conseils": 1_000, "groupes": 20_000, "comptes": 50_000}
MEMBRES_PAR_GROUPE = 8
REUNIONS_PAR_GROUPE = 20
ACTIONS_PAR_GROUPE = 10
INDICATEURS_PAR_ACTION = 5  # x 2 saisies = 10 valeurs par action
INSTITUTIONS_PAR_CONSEIL = 5
LOT = 5_000


def _creer(modele, objets):
    return modele.objects.bulk_create(objets, batch_size=LOT)


class Command(BaseCommand):
    help = "Génère un jeu de données synthétique à l'échelle (--factor 1 : national)."

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=float, default=0.01, help="1 : taille nationale")
        parser.add_argument("--seed", type=int, default=2026, help="graine du tirage")
        parser.add_argument("--password", default="echelle-clspd-2026", help="mot de passe")

    def handle(self, *args, factor, seed, password, **options):
        if factor <= 0:
            raise CommandError("--factor doit être positif.")
        if Utilisateur.objects.filter(email__endswith=f"@{DOMAINE}").exists():
            raise CommandError("Un jeu à l'échelle existe déjà dans cette base.")
        debut = time.monotonic()
        self.graine = seed
        self.aujourdhui = timezone.localdate()
        with transaction.atomic():
            comptes = self._nombres(factor)
            for etape in (
                self._conseils,
                self._comptes,
                self._groupes,
                self._reunions,
                self._actions,
                self._evaluations,
            ):
                etape(comptes, password)
                self.stdout.write(
                    f"  {etape.__name__.strip('_')} : {time.monotonic() - debut:.1f} s"
                )
        if connection.vendor == "postgresql":
            # Les statistiques du planificateur, sans attendre l'autovacuum : les plans
            # mesurés (banc, EXPLAIN) sont ceux d'une base en service.
            with connection.cursor() as curseur:
                curseur.execute("ANALYZE")
        for nom, nombre in self.resume.items():
            self.stdout.write(f"{nom} : {nombre}")
        self.stdout.write(
            self.style.SUCCESS(f"Jeu à l'échelle {factor} en {time.monotonic() - debut:.1f} s.")
        )

    def _nombres(self, factor):
        self.resume = {}
        return {nom: max(1, round(total * factor)) for nom, total in TAILLE.items()}

    def _hasard(self, conseil_id):
        """Un tirage par conseil : le premier conseil est le même quel que soit le facteur
        (le test des budgets de requêtes compare deux tailles)."""
        return self.hasards[conseil_id]

    def _uuid(self, conseil_id):
        return uuid.UUID(int=self._hasard(conseil_id).getrandbits(128), version=4)

    # Conseils, institutions --------------------------------------------------------------

    def _conseils(self, n, _):
        self.conseils = _creer(
            Conseil, [Conseil(nom=f"CLSPD échelle {i:04d}") for i in range(n["conseils"])]
        )
        self.hasards = {
            c.pk: random.Random(f"{self.graine}:{i}") for i, c in enumerate(self.conseils)
        }
        self.institutions = {
            conseil.pk: _creer(
                Institution,
                [
                    Institution(conseil=conseil, nom=f"Institution {j}", categorie="autre")
                    for j in range(INSTITUTIONS_PAR_CONSEIL)
                ],
            )
            for conseil in self.conseils
        }
        self.resume["conseils"] = len(self.conseils)

    # Comptes, répartis entre les conseils ; le premier de chaque conseil le coordonne ------

    def _comptes(self, n, password):
        hachage = make_password(password)
        comptes = _creer(
            Utilisateur,
            [
                Utilisateur(
                    email=f"agent{i:06d}@{DOMAINE}",
                    first_name=f"Prénom{i}",
                    last_name=f"Nom{i}",
                    password=hachage,
                )
                for i in range(max(n["comptes"], 4 * len(self.conseils)))
            ],
        )
        par_conseil = len(comptes) // len(self.conseils)
        self.comptes_du_conseil = {
            conseil.pk: comptes[i * par_conseil : (i + 1) * par_conseil]
            for i, conseil in enumerate(self.conseils)
        }
        coordonner = Permission.objects.get(codename="coordonner_conseil")
        lien = Conseil.coordonnateurs.through
        _creer(
            lien,
            [lien(conseil=c, utilisateur=self.comptes_du_conseil[c.pk][0]) for c in self.conseils],
        )
        _creer(
            ConseilPermission,
            [
                ConseilPermission(
                    user=self.comptes_du_conseil[c.pk][0], permission=coordonner, content_object=c
                )
                for c in self.conseils
            ],
        )
        # Le deuxième compte de chaque conseil siège à sa formation restreinte.
        consulter = Permission.objects.get(codename="consulter_conseil")
        _creer(
            MembreFormationRestreinte,
            [
                MembreFormationRestreinte(
                    conseil=c,
                    utilisateur=self.comptes_du_conseil[c.pk][1],
                    institution=self.institutions[c.pk][0],
                    qualite="Représentant du préfet",
                    date_debut=self.aujourdhui - datetime.timedelta(days=365),
                )
                for c in self.conseils
            ],
        )
        _creer(
            ConseilPermission,
            [
                ConseilPermission(
                    user=self.comptes_du_conseil[c.pk][1], permission=consulter, content_object=c
                )
                for c in self.conseils
            ],
        )
        self.resume["comptes"] = len(comptes)

    # Groupes, membres, pilotes, permissions ----------------------------------------------

    def _groupes(self, n, _):
        programmes = list(Programme.objects.filter(actif=True).order_by("pk"))
        par_conseil = max(1, n["groupes"] // len(self.conseils))
        groupes = _creer(
            GroupeOperationnel,
            [
                GroupeOperationnel(
                    conseil=conseil,
                    nom=f"Groupe {j:03d}",
                    nature="thematique",
                    programme=self._hasard(conseil.pk).choice(programmes),
                )
                for conseil in self.conseils
                for j in range(par_conseil)
            ],
        )
        voir = Permission.objects.get(codename="view_groupeoperationnel")
        piloter = Permission.objects.get(codename="piloter_groupe")
        appartenances, designations, permissions = [], [], []
        self.membres = {}
        il_y_a_un_an = self.aujourdhui - datetime.timedelta(days=365)
        for groupe in groupes:
            candidats = self.comptes_du_conseil[groupe.conseil_id][2:]
            hasard = self._hasard(groupe.conseil_id)
            membres = hasard.sample(candidats, min(MEMBRES_PAR_GROUPE, len(candidats)))
            self.membres[groupe.pk] = membres
            institutions = self.institutions[groupe.conseil_id]
            for rang, membre in enumerate(membres):
                appartenances.append(
                    Appartenance(
                        groupe=groupe,
                        utilisateur=membre,
                        institution=hasard.choice(institutions),
                        role="pilote" if rang == 0 else "membre",
                        date_debut=il_y_a_un_an,
                    )
                )
                permissions.append(
                    GroupePermission(user=membre, permission=voir, content_object=groupe)
                )
            designations.append(
                DesignationPilote(
                    groupe=groupe,
                    pilote=membres[0],
                    date_designation=il_y_a_un_an,
                    accord_maire_le=il_y_a_un_an,
                    accord_prefet_le=il_y_a_un_an,
                    designe_par=self.comptes_du_conseil[groupe.conseil_id][0],
                )
            )
            permissions.append(
                GroupePermission(user=membres[0], permission=piloter, content_object=groupe)
            )
        _creer(Appartenance, appartenances)
        _creer(DesignationPilote, designations)
        _creer(GroupePermission, permissions)
        self.groupes = groupes
        self.resume["groupes"] = len(groupes)
        self.resume["appartenances"] = len(appartenances)

    # Réunions, comptes rendus validés, décisions ------------------------------------------

    def _reunions(self, n, _):
        reunions = []
        for groupe in self.groupes:
            for k in range(REUNIONS_PAR_GROUPE):
                # Deux par mois environ, des deux années passées aux semaines à venir.
                jour = self.aujourdhui - datetime.timedelta(days=700 - 37 * k)
                reunions.append(
                    Reunion(
                        groupe=groupe,
                        objet=f"Réunion {k + 1}",
                        date=jour,
                        heure_debut=datetime.time(14),
                        heure_fin=datetime.time(16),
                        lieu="Mairie",
                        uid=self._uuid(groupe.conseil_id),
                        cree_par=self.membres[groupe.pk][0],
                    )
                )
        reunions = _creer(Reunion, reunions)
        passees = [r for r in reunions if r.date < self.aujourdhui]
        maintenant = timezone.now()
        _creer(
            CompteRendu,
            [
                CompteRendu(
                    reunion=r,
                    statut="valide",
                    synthese="Synthèse de la réunion.",
                    contenu=_contenu(r),
                    cree_par=r.cree_par,
                    valide_par=r.cree_par,
                    valide_le=maintenant,
                )
                for r in passees
            ],
        )
        statuts = ["a_faire", "en_cours", "faite", "faite", "abandonnee"]
        decisions = [
            Decision(
                reunion=r,
                libelle=f"Décision {d + 1} de la réunion",
                porteur=self._hasard(r.groupe.conseil_id).choice(self.membres[r.groupe_id]),
                echeance=r.date + datetime.timedelta(days=60),
                statut=self._hasard(r.groupe.conseil_id).choice(statuts),
            )
            for i, r in enumerate(passees)
            for d in range(1 + i % 2)
        ]
        _creer(Decision, decisions)
        self.resume["réunions"] = len(reunions)
        self.resume["décisions"] = len(decisions)

    # Plans et actions ------------------------------------------------------------------

    def _actions(self, n, _):
        annee = self.aujourdhui.year
        plans = _creer(
            PlanAction,
            [
                PlanAction(
                    groupe=g,
                    titre=f"Plan {annee}",
                    date_debut=datetime.date(annee, 1, 1),
                    date_fin=datetime.date(annee, 12, 31),
                    statut="adopte",
                    adopte_le=datetime.date(annee, 1, 15),
                )
                for g in self.groupes
            ],
        )
        statuts = ["validee", "en_cours", "en_cours", "terminee", "proposee"]
        actions = _creer(
            Action,
            [
                Action(
                    plan=plan,
                    titre=f"Action {k + 1}",
                    programme=plan.groupe.programme,
                    porteur=self._hasard(plan.groupe.conseil_id).choice(
                        self.institutions[plan.groupe.conseil_id]
                    ),
                    date_debut=datetime.date(annee, 1, 1),
                    statut=self._hasard(plan.groupe.conseil_id).choice(statuts),
                )
                for plan in plans
                for k in range(ACTIONS_PAR_GROUPE)
            ],
        )
        _creer(
            Financement,
            [
                Financement(
                    action=a,
                    source=self._hasard(a.plan.groupe.conseil_id).choice(
                        ["fipd", "commune", "departement"]
                    ),
                    montant_demande=self._hasard(a.plan.groupe.conseil_id).randrange(1_000, 50_000),
                )
                for a in actions
            ],
        )
        self.actions = actions
        self.resume["actions"] = len(actions)

    # Évaluation : deux saisies semestrielles de cinq indicateurs par action ----------------

    def _evaluations(self, n, _):
        indicateurs = list(
            Indicateur.objects.filter(conseil=None, type="entier").order_by("ordre")[
                :INDICATEURS_PAR_ACTION
            ]
        )
        evaluations = _creer(
            EvaluationAction, [EvaluationAction(action=a, rythme="semestre") for a in self.actions]
        )
        _creer(
            IndicateurSuivi,
            [
                IndicateurSuivi(evaluation=e, indicateur=i, cible=100)
                for e in evaluations
                for i in indicateurs
            ],
        )
        annee = self.aujourdhui.year  # celle des plans : le rapport de l'année les reprend
        saisies = _creer(
            Saisie,
            [
                Saisie(
                    evaluation=e,
                    annee=annee,
                    numero=numero,
                    statut="validee",
                    saisie_par=self.membres[e.action.plan.groupe_id][0],
                )
                for e in evaluations
                for numero in (1, 2)
            ],
        )
        valeurs = [
            Valeur(
                saisie=s,
                indicateur=i,
                nombre=self._hasard(s.evaluation.action.plan.groupe.conseil_id).randrange(0, 120),
            )
            for s in saisies
            for i in indicateurs
        ]
        _creer(Valeur, valeurs)
        self.resume["valeurs d'indicateurs"] = len(valeurs)


def _contenu(reunion):
    """Le contenu figé d'un compte rendu validé, réduit à l'essentiel (voir
    ``groupes.selectors.contenu_du_compte_rendu``)."""
    return {
        "reunion": {
            "objet": reunion.objet,
            "date": reunion.date.isoformat(),
            "heure_debut": "14:00",
            "heure_fin": "16:00",
            "lieu": reunion.lieu,
            "lien_visio": "",
        },
        "presences": [],
        "participants_exterieurs": [],
        "points": [],
        "situations": [],
        "suivi_decisions": [],
        "decisions": [],
        "synthese": "Synthèse de la réunion.",
    }
