"""Le banc de mesure (``make bench``) : une mesure, jamais un test, il n'échoue pas sur un
temps. Sur la base configurée (PostgreSQL) et son jeu ``seed_scale`` :

1. gunicorn sert l'application sur la boucle locale ; des processus de charge, un par
   personne, jouent ``--utilisateurs`` personnes connectées (coordonnateur, formation
   restreinte, pilotes, membres) sur les pages principales de leur rôle : d'abord avec un
   temps de lecture entre deux pages (``--pause``), puis sans pause (saturation) ;
2. la vue la plus simple (``/sante/``) mesurée de même donne le plancher ;
3. chaque PDF (compte rendu, plan d'action, rapports d'évaluation) est mesuré de bout en
   bout, puis WeasyPrint seul sur le même HTML, dans un processus neuf (pic de mémoire) ;
   le plus long est aussi demandé à gunicorn, qui le rend hors de la requête ;
4. les exports de 100 000 actions, lus jusqu'au bout dans un processus neuf.

Le tableau s'affiche et s'écrit dans ``--sortie``, avec la machine."""

import datetime
import http.client
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import resolve, reverse

from clspd.models import Conseil, MembreFormationRestreinte, RenduPDF, Utilisateur

HOTE = "127.0.0.1"
LIGNES_EXPORT = 100_000
MOT_DE_PASSE = "echelle-clspd-2026"


class Client:
    """Un navigateur minimal : une connexion HTTP gardée ouverte, ses cookies à la main (le
    serveur les marque « Secure » ; le banc parle HTTP en local, derrière un proxy fictif)."""

    def __init__(self, port):
        self.connexion = http.client.HTTPConnection(HOTE, port, timeout=60)
        self.cookies = {}
        self.derniere_redirection = ""

    def requete(self, methode, chemin, corps=None):
        entetes = {"X-Forwarded-Proto": "https", "Host": HOTE}
        if self.cookies:
            entetes["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if corps is not None:
            entetes["Content-Type"] = "application/x-www-form-urlencoded"
            entetes["Referer"] = f"https://{HOTE}{chemin}"
        debut = time.perf_counter()
        self.connexion.request(methode, chemin, body=corps, headers=entetes)
        reponse = self.connexion.getresponse()
        contenu = reponse.read()
        duree = time.perf_counter() - debut
        self.derniere_redirection = reponse.headers.get("Location", "")
        for entete in reponse.headers.get_all("Set-Cookie") or []:
            nom, _, reste = entete.partition("=")
            self.cookies[nom.strip()] = reste.split(";", 1)[0]
        return reponse.status, contenu, duree

    def se_connecter(self, email):
        _, page, _ = self.requete("GET", "/compte/connexion/")
        jeton = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        corps = urlencode(
            {"csrfmiddlewaretoken": jeton.decode(), "username": email, "password": MOT_DE_PASSE}
        )
        statut, _, _ = self.requete("POST", "/compte/connexion/", corps)
        if statut != 302:
            raise CommandError(f"Connexion refusée pour {email} ({statut}).")


def pages_principales():
    """Les personnes du premier conseil du jeu ``seed_scale``, les pages principales de leur
    rôle ({rôle: [(page, chemin)]}) et les objets des PDF. Le banc les charge ; le test des
    budgets de requêtes (tests/test_echelle.py) les compte."""
    conseil = Conseil.objects.order_by("pk").first()
    groupe = conseil.groupes.order_by("pk").first()
    appartenances = groupe.appartenances.select_related("utilisateur").order_by("pk")
    reunion = groupe.reunions.filter(comptes_rendus__statut="valide").order_by("-date").first()
    plan = groupe.plans.order_by("pk").first()
    action = plan.actions.order_by("pk").first()
    personnes = {
        "coordonnateur": conseil.coordonnateurs.order_by("pk").first(),
        "formation restreinte": MembreFormationRestreinte.objects.filter(conseil=conseil)
        .first()
        .utilisateur,
        "pilote": appartenances.filter(role="pilote").first().utilisateur,
        "membre": appartenances.filter(role="membre").first().utilisateur,
    }
    synthese = reverse("programmes:conseil", args=[conseil.pk])
    pages = {
        "coordonnateur": [
            ("accueil", reverse("accueil")),
            ("groupes du conseil", reverse("groupes:conseil", args=[conseil.pk])),
            ("fiche du groupe", groupe.get_absolute_url()),
            ("synthèse du conseil", synthese),
            ("rapports", reverse("evaluation:rapports", args=[conseil.pk])),
        ],
        "formation restreinte": [
            ("accueil", reverse("accueil")),
            ("synthèse du conseil", synthese),
            ("plan d'action", plan.get_absolute_url()),
        ],
        "pilote": [
            ("fiche du groupe", groupe.get_absolute_url()),
            ("réunions du groupe", reverse("groupes:reunions", args=[groupe.pk])),
            ("réunion", reunion.get_absolute_url()),
            ("plan d'action", plan.get_absolute_url()),
            ("action", action.get_absolute_url()),
            ("mes décisions", reverse("groupes:mes_decisions")),
        ],
        "membre": [
            ("accueil", reverse("accueil")),
            ("mes décisions", reverse("groupes:mes_decisions")),
            ("mes saisies", reverse("evaluation:mes_saisies")),
            ("réunion", reunion.get_absolute_url()),
        ],
    }
    return personnes, pages, {"reunion": reunion, "plan": plan, "conseil": conseil}


def _centile(durees, p):
    durees = sorted(durees)
    return durees[min(len(durees) - 1, int(len(durees) * p / 100))]


class Command(BaseCommand):
    help = "Mesure l'application sous charge (gunicorn, PostgreSQL) et ses PDF."

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=float, default=0.01)
        parser.add_argument(
            "--duree", type=float, default=60, help="secondes de charge par scénario"
        )
        parser.add_argument("--utilisateurs", type=int, default=10)
        parser.add_argument(
            "--pause",
            type=float,
            default=0.5,
            help="temps de lecture moyen entre deux pages d'une personne (secondes)",
        )
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
        parser.add_argument("--sortie", default="")

    def handle(self, *args, factor, duree, utilisateurs, pause, port, workers, sortie, **options):
        if connection.vendor != "postgresql":
            self.stderr.write("Attention : le banc se lit sur PostgreSQL (DATABASE_URL).")
        if not Utilisateur.objects.filter(email__endswith="@echelle.clspd.fr").exists():
            call_command("seed_scale", factor=factor, stdout=self.stdout)
        roles = self._pages_par_role()
        rapports = self._rapports()
        plancher = {"plancher": [("/sante/", "/sante/")]}
        serveur = self._demarrer(port, workers)
        scenarios = []
        try:
            # À chaud : chaque worker a chargé ses gabarits et ouvert sa connexion.
            self._charger(port, {**plancher, **roles}, 5, utilisateurs, 0)
            # Des personnes qui lisent chaque page avant la suivante (la cible), puis les
            # mêmes sans pause : la capacité de la machine, saturée.
            for nom, sa_pause, sa_duree in (
                (f"{utilisateurs} personnes, {pause:g} s de lecture en moyenne", pause, duree),
                (f"saturation : {utilisateurs} personnes sans pause", 0, duree / 3),
            ):
                self.stdout.write(f"Charge : {nom}…")
                scenarios.append(
                    (
                        nom,
                        self._charger(port, plancher, sa_duree / 3, utilisateurs, sa_pause),
                        self._charger(port, roles, sa_duree, utilisateurs, sa_pause),
                    )
                )
            self.stdout.write("PDF long, hors de la requête…")
            long = self._pdf_en_arriere_plan(port, *rapports[-1])
        finally:
            serveur.terminate()
            serveur.wait(timeout=30)
        self.stdout.write("PDF…")
        pdf = self._pdf(rapports)
        self.stdout.write(f"Exports de {LIGNES_EXPORT} lignes…")
        exports = self._exports()
        texte = self._rapport(factor, workers, scenarios, pdf, long, exports)
        self.stdout.write(texte)
        if sortie:
            with open(sortie, "w", encoding="utf-8") as fichier:
                fichier.write(texte)

    # Qui, et quelles pages ------------------------------------------------------------

    def _pages_par_role(self):
        personnes, pages, self.pdf_a_mesurer = pages_principales()
        self.personnes = {role: personne.email for role, personne in personnes.items()}
        return pages

    # Le serveur ----------------------------------------------------------------------

    def _demarrer(self, port, workers):
        environnement = {
            **os.environ,
            "DEBUG": "0",
            "ALLOWED_HOSTS": HOTE,
            "SECURE_SSL_REDIRECT": "0",
            # Les comptes du jeu n'ont pas d'application d'authentification.
            "DOUBLE_AUTHENTIFICATION_OBLIGATOIRE": "0",
            "LOG_LEVEL": "WARNING",
            "AXES_FAILURE_LIMIT": "1000",
        }
        environnement.setdefault("SECRET_KEY", "banc-de-mesure-seulement")
        serveur = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clspd.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"{HOTE}:{port}",
            ],
            env=environnement,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                if Client(port).requete("GET", "/sante/")[0] == 200:
                    return serveur
            except OSError:
                time.sleep(0.2)
        serveur.terminate()
        raise CommandError("gunicorn ne répond pas.")

    # La charge -------------------------------------------------------------------------

    def _charger(self, port, roles, duree, utilisateurs, pause):
        """``utilisateurs`` processus de charge (un par personne : pas de verrou global de
        Python partagé entre elles), répartis entre les rôles, parcourent leurs pages en
        boucle pendant ``duree`` secondes. Renvoie {(rôle, page): [durées]} et les erreurs."""
        contexte = multiprocessing.get_context("fork")
        file = contexte.Queue()
        noms = list(roles)
        depart = time.time() + 2  # tous connectés avant de mesurer
        processus = []
        for numero in range(utilisateurs):
            role = noms[numero % len(noms)]
            email = self.personnes.get(role)
            processus.append(
                contexte.Process(
                    target=_jouer,
                    args=(port, email, role, roles[role], depart, duree, pause, numero, file),
                )
            )
        connection.close()  # chaque enfant ouvrirait sinon la même connexion
        for un in processus:
            un.start()
        mesures, erreurs = defaultdict(list), defaultdict(int)
        for _ in processus:
            leurs_mesures, leurs_erreurs = file.get(timeout=duree + 120)
            for cle, durees in leurs_mesures.items():
                mesures[cle] += durees
            for cle, nombre in leurs_erreurs.items():
                erreurs[cle] += nombre
        for un in processus:
            un.join()
        return {"mesures": mesures, "erreurs": erreurs, "duree": duree}

    # Les PDF -----------------------------------------------------------------------------

    def _rapports(self):
        """Les rapports d'évaluation à mesurer, préparés une fois : celui du conseil entier,
        et celui du programme dont le nombre d'actions est le plus proche de 50."""
        from clspd.models import Programme
        from evaluation import services as evaluation
        from evaluation.selectors import _actions_de_l_annee

        plan, conseil = self.pdf_a_mesurer["plan"], self.pdf_a_mesurer["conseil"]
        self.coordonnateur = conseil.coordonnateurs.order_by("pk").first()
        annee = plan.date_debut.year
        programme = min(
            Programme.objects.filter(groupes__conseil=conseil).distinct(),
            key=lambda p: abs(_actions_de_l_annee(conseil, annee, p).count() - 50),
        )
        rapports = []
        for perimetre in (programme, None):
            rapport = evaluation.rapport_preparer(
                conseil=conseil, annee=annee, programme=perimetre, auteur=self.coordonnateur
            )
            nombre = _actions_de_l_annee(conseil, annee, perimetre).count()
            rapports.append((f"rapport ({nombre} actions)", rapport))
        return rapports

    def _pdf(self, rapports):
        reunion, plan = self.pdf_a_mesurer["reunion"], self.pdf_a_mesurer["plan"]
        coordonnateur = self.coordonnateur
        cibles = [
            ("compte rendu", reverse("groupes:compte_rendu_pdf", args=[reunion.pk, 1])),
            ("plan d'action", reverse("programmes:plan_pdf", args=[plan.pk])),
            *(
                (nom, reverse("evaluation:rapport_pdf", args=[rapport.pk]))
                for nom, rapport in rapports
            ),
        ]
        contexte = multiprocessing.get_context("fork")
        resultats = []
        for nom, chemin in cibles:
            file = contexte.Queue()
            processus = contexte.Process(target=_mesurer_pdf, args=(chemin, coordonnateur.pk, file))
            connection.close()  # l'enfant ouvre la sienne
            processus.start()
            resultat = file.get(timeout=900)
            processus.join()
            if isinstance(resultat, str):
                raise CommandError(f"PDF {nom} : {resultat}")
            resultats.append((nom, *resultat))
        return resultats

    # Les exports -----------------------------------------------------------------------

    def _exports(self):
        """Chaque export d'un conseil de ``LIGNES_EXPORT`` actions (créé pour la mesure, à
        part du jeu, puis effacé), lu jusqu'au bout dans un processus neuf : durée, octets,
        pic de mémoire."""
        conseil = _conseil_d_export()
        try:
            coordonnateur = conseil.coordonnateurs.get()
            url = reverse("programmes:export", args=[conseil.pk])
            contexte = multiprocessing.get_context("fork")
            resultats = []
            for format_ in ("csv", "xlsx"):
                file = contexte.Queue()
                processus = contexte.Process(
                    target=_mesurer_export,
                    args=(f"{url}?quoi=actions&format={format_}", coordonnateur.pk, file),
                )
                connection.close()
                processus.start()
                resultat = file.get(timeout=900)
                processus.join()
                if isinstance(resultat, str):
                    raise CommandError(f"Export {format_} : {resultat}")
                resultats.append((format_.upper(), *resultat))
        finally:
            _effacer_le_conseil_d_export(conseil)
        return resultats

    # Un PDF long, hors de la requête, sur le serveur ------------------------------------

    def _pdf_en_arriere_plan(self, port, nom, rapport):
        """Le rapport demandé à gunicorn : la réponse de la vue (le poste web est libéré),
        puis l'avancement suivi comme le fait la page, jusqu'au fichier."""
        client = Client(port)
        client.se_connecter(self.coordonnateur.email)
        debut = time.perf_counter()
        statut, _, reponse = client.requete(
            "GET", reverse("evaluation:rapport_pdf", args=[rapport.pk])
        )
        if statut != 303:
            raise CommandError(f"Le rapport n'est pas rendu hors de la requête ({statut}).")
        adresse = client.derniere_redirection
        etapes = []
        while time.perf_counter() - debut < 600:
            _, corps, _ = client.requete("GET", f"{adresse}etat/")
            etat = json.loads(corps)
            if not etapes or etapes[-1] != etat["progression"]:
                etapes.append(etat["progression"])
            if etat["etat"] in ("termine", "echec"):
                break
            time.sleep(0.25)
        pret = time.perf_counter() - debut
        statut, contenu, _ = client.requete("GET", f"{adresse}telecharger/")
        if statut != 200 or not contenu.startswith(b"%PDF"):
            raise CommandError(f"Le rapport n'a pas été remis ({etat['etat']}, {statut}).")
        return nom, reponse, pret, etapes

    # Le tableau --------------------------------------------------------------------------

    def _rapport(self, factor, workers, scenarios, pdf, long, exports):
        lignes = [
            f"# Banc de mesure, jeu à l'échelle {factor}",
            "",
            f"Machine : {platform.machine()}, {os.cpu_count()} cœurs, {platform.platform()} ; "
            f"Python {platform.python_version()} ; base {connection.vendor} ; "
            f"gunicorn {workers} workers.",
        ]
        for nom, plancher, pages in scenarios:
            base = statistics.median(plancher["mesures"][("plancher", "/sante/")])
            lignes += [
                "",
                f"## {nom[0].upper()}{nom[1:]}",
                "",
                "| page | requêtes/s | p50 (ms) | p95 (ms) | p99 (ms) | p50 / plancher | erreurs |",
                "|---|---|---|---|---|---|---|",
            ]
            for resultats in (plancher, pages):
                for (role, page), durees in sorted(resultats["mesures"].items()):
                    p50 = statistics.median(durees)
                    lignes.append(
                        f"| {role} : {page} | {len(durees) / resultats['duree']:.1f} "
                        f"| {p50 * 1000:.1f} | {_centile(durees, 95) * 1000:.1f} "
                        f"| {_centile(durees, 99) * 1000:.1f} | {p50 / base:.1f} "
                        f"| {resultats['erreurs'].get((role, page), 0)} |"
                    )
        lignes += [
            "",
            "## PDF",
            "",
            "| PDF | de bout en bout (s) | WeasyPrint seul (s) | surcoût | pages "
            "| pic de mémoire (Mo) |",
            "|---|---|---|---|---|---|",
        ]
        for nom, total, seul, nombre_pages, memoire in pdf:
            lignes.append(
                f"| {nom} | {total:.2f} | {seul:.2f} | {(total / seul - 1) * 100:.0f} % "
                f"| {nombre_pages} | {memoire:.0f} |"
            )
        nom, reponse, pret, etapes = long
        lignes += [
            "",
            f"Le {nom}, demandé à gunicorn : la vue répond en {reponse * 1000:.0f} ms (renvoi "
            f"vers la page d'avancement) ; le fichier est prêt après {pret:.1f} s, rendu par un "
            f"processus à part. Avancement relevé : {' → '.join(f'{e} %' for e in etapes)}.",
        ]
        lignes += [
            "",
            f"## Exports de {LIGNES_EXPORT} actions",
            "",
            "| format | durée (s) | taille (Mo) | mémoire au départ (Mo) | pic de mémoire (Mo) |",
            "|---|---|---|---|---|",
        ]
        for format_, duree, octets, depart, pic in exports:
            lignes.append(
                f"| {format_} | {duree:.1f} | {octets / 1e6:.1f} | {depart:.0f} | {pic:.0f} |"
            )
        return "\n".join(lignes) + "\n"


def _conseil_d_export():
    """Un conseil à part, de ``LIGNES_EXPORT`` actions (en un plan), pour mesurer les
    exports : aucun conseil du jeu n'en a autant."""
    from django.contrib.auth.models import Permission
    from django.db import transaction

    from clspd.models import ConseilPermission, Institution, Programme
    from groupes.models import GroupeOperationnel
    from programmes.models import Action, Financement, PlanAction

    nom = "CLSPD du banc d'export"
    if ancien := Conseil.objects.filter(nom=nom).first():  # un banc interrompu
        _effacer_le_conseil_d_export(ancien)
    with transaction.atomic():
        conseil = Conseil.objects.create(nom=nom)
        coordonnateur = Utilisateur.objects.create_user(
            email="export@banc.clspd.fr", password=MOT_DE_PASSE
        )
        conseil.coordonnateurs.add(coordonnateur)
        ConseilPermission.objects.create(
            user=coordonnateur,
            permission=Permission.objects.get(codename="coordonner_conseil"),
            content_object=conseil,
        )
        programme = Programme.objects.filter(actif=True).order_by("pk").first()
        porteur = Institution.objects.create(conseil=conseil, nom="Porteur", categorie="autre")
        groupe = GroupeOperationnel.objects.create(
            conseil=conseil, nom="Groupe d'export", nature="thematique", programme=programme
        )
        annee = datetime.date.today().year
        plan = PlanAction.objects.create(
            groupe=groupe,
            titre=f"Plan {annee}",
            date_debut=datetime.date(annee, 1, 1),
            date_fin=datetime.date(annee, 12, 31),
        )
        for debut in range(0, LIGNES_EXPORT, 10_000):
            actions = Action.objects.bulk_create(
                Action(
                    plan=plan,
                    titre=f"Action {k + 1} : prévention, médiation et « suivi »",
                    description="Description de l'action, sur quelques lignes. " * 4,
                    programme=programme,
                    porteur=porteur,
                    date_debut=datetime.date(annee, 1, 1),
                    statut="en_cours",
                )
                for k in range(debut, min(debut + 10_000, LIGNES_EXPORT))
            )
            Financement.objects.bulk_create(
                Financement(action=a, source="fipd", montant_demande=1000 + a.pk % 5000)
                for a in actions
            )
    return conseil


def _effacer_le_conseil_d_export(conseil):
    """Le conseil d'export et ses 100 000 actions, effacés en SQL (sans charger chaque
    objet), puis la place nettoyée et les statistiques refaites (VACUUM ANALYZE) : sans
    quoi le planificateur parcourt les index morts à chaque requête, et les mesures
    suivantes le paieraient."""
    from django.db import transaction

    from clspd.models import Institution
    from groupes.models import GroupeOperationnel
    from programmes.models import Action, Financement, PlanAction

    with transaction.atomic():
        Financement.objects.filter(action__plan__groupe__conseil=conseil)._raw_delete("default")
        Action.objects.filter(plan__groupe__conseil=conseil)._raw_delete("default")
        coordonnateurs = list(conseil.coordonnateurs.all())
        for modele, filtre in (
            (PlanAction, {"groupe__conseil": conseil}),
            (GroupeOperationnel, {"conseil": conseil}),
            (Institution, {"conseil": conseil}),
        ):
            modele.objects.filter(**filtre).delete()
        conseil.delete()
        for coordonnateur in coordonnateurs:
            coordonnateur.delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as curseur:
            curseur.execute("VACUUM ANALYZE")


def _jouer(port, email, role, pages, depart, duree, pause, numero, file):
    """Une personne : se connecte, attend le départ commun, charge ses pages en boucle, avec
    entre deux pages un temps de lecture tiré entre la moitié et une fois et demie ``pause``."""
    mesures, erreurs = defaultdict(list), defaultdict(int)
    hasard = random.Random(numero)
    try:
        client = Client(port)
        if email:
            client.se_connecter(email)
        time.sleep(max(0, depart - time.time()))
        fin = time.monotonic() + duree
        while time.monotonic() < fin:
            for page, chemin in pages:
                statut, _, temps = client.requete("GET", chemin)
                mesures[(role, page)].append(temps)
                if statut != 200:
                    erreurs[(role, page)] += 1
                if pause:
                    time.sleep(hasard.uniform(pause / 2, pause * 3 / 2))
    finally:
        file.put((dict(mesures), dict(erreurs)))


def _mesurer_export(chemin, utilisateur_pk, file):
    """Dans un processus neuf : l'export lu morceau par morceau, comme un navigateur."""
    try:
        file.put(_mesures_export(chemin, utilisateur_pk))
    except Exception as erreur:
        file.put(repr(erreur))


def _mesures_export(chemin, utilisateur_pk):
    client = _client_de_test(utilisateur_pk)
    depart = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    debut = time.perf_counter()
    reponse = client.get(chemin, secure=True)
    assert reponse.status_code == 200, (chemin, reponse.status_code)
    octets = sum(len(morceau) for morceau in reponse.streaming_content)
    duree = time.perf_counter() - debut
    reponse.close()
    return duree, octets, depart, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _client_de_test(utilisateur_pk):
    """Un client de test connecté (double authentification faite)."""
    from django.test import Client as ClientDeTest

    from clspd import double_authentification

    client = ClientDeTest(HTTP_HOST="localhost")
    client.force_login(Utilisateur.objects.get(pk=utilisateur_pk))
    session = client.session
    session[double_authentification.ETAPE] = ""
    session.save()
    return client


def _mesurer_pdf(chemin, utilisateur_pk, file):
    """Dans un processus neuf : la vue PDF de bout en bout (client de test), puis WeasyPrint
    seul sur le HTML qu'elle a produit ; le pic de mémoire du processus. Une erreur revient
    au parent en texte (sans quoi il attendrait)."""
    try:
        file.put(_mesures_pdf(chemin, utilisateur_pk))
    except Exception as erreur:
        file.put(repr(erreur))


def _mesures_pdf(chemin, utilisateur_pk):
    from weasyprint import HTML

    from clspd import pdf

    captures = []
    vrai_html = pdf.HTML

    def capturer(*args, **kwargs):
        captures.append(kwargs)
        return vrai_html(*args, **kwargs)

    pdf.HTML = capturer
    client = _client_de_test(utilisateur_pk)
    # Un PDF long (clspd.rendus) se rend ici dans la requête, par le même chemin que le
    # processus de rendu : la demande, son rendu, puis le téléchargement.
    settings.PDF_EN_ARRIERE_PLAN = False

    def telecharger():
        reponse = client.get(chemin, secure=True)
        if reponse.status_code == 303:
            rendu = RenduPDF.objects.get(pk=resolve(reponse["Location"]).kwargs["pk"])
            reponse = client.get(reverse("rendu_pdf_telecharger", args=[rendu.pk]), secure=True)
        return reponse

    # À chaud (polices et gabarits chargés), puis la médiane de plusieurs rendus, alternés
    # avec WeasyPrint seul sur le HTML capturé : les deux mesures voient la même machine.
    debut = time.perf_counter()
    telecharger()
    # Environ trois secondes de mesures par PDF, trois rendus au moins : la médiane de cinq
    # rendus courts variait de 10 points d'une fois à l'autre sur une machine partagée.
    tours = max(3, min(21, round(3 / (time.perf_counter() - debut))))
    totaux, seuls = [], []
    for _ in range(tours):
        debut = time.perf_counter()
        reponse = telecharger()
        totaux.append(time.perf_counter() - debut)
        assert reponse.status_code == 200, (chemin, reponse.status_code)
        arguments = captures[-1]
        pdf.HTML = vrai_html
        debut = time.perf_counter()
        document = HTML(**arguments).render()
        document.write_pdf()
        seuls.append(time.perf_counter() - debut)
        pdf.HTML = capturer
    pdf.HTML = vrai_html
    total, seul = statistics.median(totaux), statistics.median(seuls)
    memoire = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return total, seul, len(document.pages), memoire
